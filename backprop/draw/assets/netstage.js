// The Tiny Network painter for the stage player (stage.js): Plotly draws the static
// figure once (axes, data points, labels, legend); each frame is painted here on two
// canvases, one under Plotly's transparent SVG (boundary or curve, edges, unit
// heatmaps) and one over it (the loss curve so far). A frame is a few drawImage and
// line calls: no Plotly redraw, no re-layout. Frames carry only what changes (see
// graphviz_tools/net_frames.py): grids as one letter per cell, "A" = 0 .. 2Q.
(function () {
  "use strict";
  window.bpPainters = window.bpPainters || {};
  if (window.bpPainters.net) return;

  function hex(c) {
    const n = parseInt(c.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  function palette(m) {  // 0..2Q -> RGBA: NEG, white at Q, POS (the figure's old scale)
    const neg = hex(m.neg), pos = hex(m.pos), out = [];
    for (let v = 0; v <= 2 * m.q; v++) {
      const a = v / (2 * m.q), c = a < 0.5 ? neg : pos, f = a < 0.5 ? 1 - 2 * a : 2 * a - 1;
      out.push([0, 1, 2].map(function (k) { return Math.round(255 + (c[k] - 255) * f); }));
    }
    return out;
  }
  function canvas(w, h, k, z) {
    const c = document.createElement("canvas");
    c.width = Math.round(w * k); c.height = Math.round(h * k);
    c.style.cssText = "position:absolute;left:0;top:0;pointer-events:none;width:" + w
      + "px;height:" + h + "px;z-index:" + z;
    const ctx = c.getContext("2d");
    ctx.scale(k, k);
    return [c, ctx];
  }

  function painter(el, fig) {
    const m = fig.meta, frames = fig.frames, L = fig.layout;
    const W = L.width, H = L.height, colours = palette(m);
    const k = Math.min(3, Math.max(2, (window.devicePixelRatio || 1) * 1.6));
    el.textContent = "";
    el.style.background = "#fff";
    const [under, uc] = canvas(W, H, k, 0), [over, oc] = canvas(W, H, k, 2);
    const div = document.createElement("div");
    div.style.cssText = "position:absolute;left:0;top:0;z-index:1";
    el.append(under, div, over);
    const tiles = {};  // small offscreen canvases, one per grid size
    function tile(rows, cols) {
      const key = rows + "x" + cols;
      if (!tiles[key]) {
        const c = document.createElement("canvas");
        c.width = cols; c.height = rows;
        const ctx = c.getContext("2d");
        tiles[key] = { c: c, ctx: ctx, img: ctx.createImageData(cols, rows) };
      }
      return tiles[key];
    }
    function grid(text, rows, cols) {  // letters, rows bottom to top -> a small image
      const t = tile(rows, cols), d = t.img.data;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const v = colours[text.charCodeAt((rows - 1 - r) * cols + c) - 65] || colours[m.q];
          const o = 4 * (r * cols + c);
          d[o] = v[0]; d[o + 1] = v[1]; d[o + 2] = v[2]; d[o + 3] = 255;
        }
      }
      t.ctx.putImageData(t.img, 0, 0);
      return t.c;
    }
    let ax = null;  // axis maps, read from Plotly's layout once it has drawn
    function axis(name) {
      const a = div._fullLayout[name], r = a.range, flip = name[0] === "y";
      const f = function (v) {
        const u = (v - r[0]) / (r[1] - r[0]);
        return a._offset + (flip ? 1 - u : u) * a._length;
      };
      f.lo = a._offset; f.len = a._length;
      return f;
    }
    const st = { i: 0 };
    const ready = window.Plotly.newPlot(div, fig.data, L, { displayModeBar: false,
                                                            staticPlot: true })
      .then(function () {
        ax = { x: axis("xaxis"), y: axis("yaxis"), x2: axis("xaxis2"), y2: axis("yaxis2"),
               x3: axis("xaxis3"), y3: axis("yaxis3") };
        show(st.i);
      });

    function clip(ctx, xa, ya) {
      ctx.save(); ctx.beginPath(); ctx.rect(xa.lo, ya.lo, xa.len, ya.len); ctx.clip();
    }
    function drawData(f) {
      clip(uc, ax.x2, ax.y2);
      if (m.classify) {  // cell centres at the range's ends: interpolate between them
        uc.globalAlpha = 0.6;
        uc.imageSmoothingEnabled = true;
        uc.drawImage(grid(f.o, m.grid, m.grid), 0.5, 0.5, m.grid - 1, m.grid - 1,
                     ax.x2.lo, ax.y2.lo, ax.x2.len, ax.y2.len);
        uc.globalAlpha = 1;
      } else {
        uc.strokeStyle = m.pos; uc.lineWidth = 3; uc.beginPath();
        let on = false;
        m.curve_x.forEach(function (x, j) {
          const y = f.o[j];
          if (y === null) { on = false; return; }
          if (on) uc.lineTo(ax.x2(x), ax.y2(y)); else uc.moveTo(ax.x2(x), ax.y2(y));
          on = true;
        });
        uc.stroke();
      }
      uc.restore();
    }
    function drawNet(f) {
      const P = m.nodes.map(function (layer) {
        return layer.map(function (p) { return [ax.x(p[0]), ax.y(p[1])]; });
      });
      let big = 0;
      f.w.forEach(function (w) { w.forEach(function (v) { big = Math.max(big, Math.abs(v)); }); });
      big = big || 1;
      uc.lineCap = "round";
      f.w.forEach(function (w, layer) {  // (out, in) row-major
        const nin = P[layer].length;
        w.forEach(function (v, idx) {
          const j = Math.floor(idx / nin), i = idx % nin, a = Math.abs(v) / big;
          const width = m.widths.find(function (b) { return a < b[0]; })[1];
          uc.strokeStyle = v < 0 ? m.neg : m.pos; uc.lineWidth = width;
          uc.beginPath(); uc.moveTo(P[layer][i][0], P[layer][i][1]);
          uc.lineTo(P[layer + 1][j][0], P[layer + 1][j][1]); uc.stroke();
        });
      });
      const side = Math.abs(ax.x(m.node) - ax.x(0)), units = [];
      m.inputs.forEach(function (g, j) { units.push([P[0][j], g]); });
      let u = 0;
      for (let layer = 1; layer < P.length; layer++) {
        P[layer].forEach(function (p) { units.push([p, f.u[u++]]); });
      }
      uc.imageSmoothingEnabled = true;
      uc.strokeStyle = "#555"; uc.lineWidth = 1;
      units.forEach(function (pg) {
        const p = pg[0], x = p[0] - side / 2, y = p[1] - side / 2;
        uc.drawImage(grid(pg[1], m.unit_rows, m.unit_cols), x, y, side, side);
        uc.strokeRect(x, y, side, side);
      });
    }
    function drawLoss(i) {
      oc.clearRect(0, 0, W, H);
      clip(oc, ax.x3, ax.y3);
      oc.lineWidth = 2; oc.lineJoin = "round";
      const keys = m.same_data ? ["l"] : ["l", "tl"];
      keys.forEach(function (key, n) {
        oc.strokeStyle = n ? m.neg : m.pos;
        oc.setLineDash(n ? [6, 4] : []);
        oc.beginPath();
        let on = false;
        for (let j = 1; j <= i; j++) {
          const v = frames[j].net[key], x = Number(frames[j].name);
          if (v === null || v === undefined) { on = false; continue; }
          if (on) oc.lineTo(ax.x3(x), ax.y3(v)); else oc.moveTo(ax.x3(x), ax.y3(v));
          on = true;
        }
        oc.stroke();
      });
      oc.setLineDash([]);
      oc.restore();
    }
    function show(i) {
      st.i = i;
      if (!ax) return;  // Plotly has not drawn yet: ready() shows it
      const f = frames[i].net;
      uc.clearRect(0, 0, W, H);
      drawData(f);
      drawNet(f);
      drawLoss(i);
      el.dataset.painted = String(i);  // tests and the bench wait for a painted frame
    }
    return { show: show, ready: ready, plot: div };
  }

  window.bpPainters.net = painter;
})();
