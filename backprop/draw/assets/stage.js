// The stage player: plays an episode (a Plotly figure whose frames carry their own
// explanation) in the browser. No server round trip while it plays: frames, text and
// controls are all here. Shared by the Streamlit component (ui/stage.py) and the
// standalone HTML export. Text from the server is set with textContent, never HTML.
// A figure whose meta names a painter (window.bpPainters, e.g. netstage.js) is drawn by
// it: the painter owns the plot element and draws frame i itself, cheaply.
(function () {
  "use strict";
  if (window.bpStage) return;

  const KEYS_OWNER = { current: null };  // the stage the keyboard drives
  const LIVE = new Set();  // every stage built on this page (keys go to one in view)

  function inView(st) {
    const b = st.root.getBoundingClientRect();
    return st.root.isConnected && b.bottom > 0 && b.top < window.innerHeight;
  }

  function loadPlotly(src) {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!window.__bpPlotly) {
      window.__bpPlotly = new Promise(function (resolve, reject) {
        const s = document.createElement("script");
        s.src = src;
        s.fetchPriority = "high";  // ahead of the page's other lazy chunks (one socket queue)
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return window.__bpPlotly;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function merge(base, upd) {  // deep-merge plain objects; arrays and values replace
    const out = Object.assign({}, base);
    for (const k in upd) {
      const v = upd[k];
      out[k] = (v && typeof v === "object" && !Array.isArray(v) && base[k]
                && typeof base[k] === "object" && !Array.isArray(base[k]))
        ? merge(base[k], v) : v;
    }
    return out;
  }

  function build(root, data) {
    const L = data.labels, fig = data.fig, frames = fig.frames;
    root.textContent = "";
    root.classList.add("bp-stage");
    root.classList.toggle("bp-below", !!data.panel_below);  // explanation under the graph
    const controls = el("div", "bp-controls");
    const back = el("button", "bp-back", "◀ " + L.back);
    const play = el("button", "bp-play", "▶ " + L.play);
    const next = el("button", "bp-next", L.next + " ▶");
    const scrub = el("input", "bp-scrub");
    scrub.type = "range"; scrub.min = 0; scrub.max = frames.length - 1; scrub.step = 1;
    scrub.setAttribute("aria-label", L.scrub);
    const count = el("span", "bp-count");
    const speed = el("select", "bp-speed");
    speed.setAttribute("aria-label", L.speed);
    for (const [label, ms] of data.speeds) {
      const o = el("option", "", label); o.value = ms; speed.appendChild(o);
    }
    speed.value = String(data.speeds[data.speed_index === undefined ? 1 : data.speed_index][1]);
    [back, play, next].forEach(function (b) { b.type = "button"; });
    controls.append(back, play, next, scrub, count, speed);
    const main = el("div", "bp-main");
    const graph = el("div", "bp-graph");
    const plot = el("div", "bp-plot");
    plot.setAttribute("role", "img");
    plot.setAttribute("aria-label", data.alt || "");
    graph.appendChild(plot);
    const panel = el("aside", "bp-panel");
    panel.setAttribute("aria-live", "polite");
    const head = el("div", "bp-head"), body = el("div", "bp-body"), math = el("div", "bp-math");
    const legend = el("div", "bp-swatches");
    for (const item of data.legend || []) {
      const row = el("span", "bp-li");
      const sw = el("span", "bp-sw");
      sw.style.background = item.fill; sw.style.borderColor = item.border;
      row.append(sw, document.createTextNode(item.text));
      legend.appendChild(row);
    }
    panel.append(head, body, math, legend);
    main.append(graph, panel);
    root.append(controls, main);
    if (data.keys) root.appendChild(el("div", "bp-keys", data.keys));

    const paint = fig.meta && fig.meta.painter && (window.bpPainters || {})[fig.meta.painter];
    const painter = paint ? paint(plot, fig) : null;
    const nd = data.digits || "";  // the language's digits for the counter, if not ASCII
    function num(n) {
      return nd ? String(n).replace(/[0-9]/g, function (c) { return nd[Number(c)]; })
        : String(n);
    }
    const cache = {};
    function traces(i) {
      if (cache[i]) return cache[i];
      const f = frames[i], out = fig.data.slice();
      f.traces.forEach(function (t, k) { out[t] = merge(out[t], f.data[k]); });
      return (cache[i] = out);
    }
    const st = { i: -1, playing: false, timer: null, scale: 1, rendered: 0, root: root,
                 times: [], log: [], n: frames.length,
                 last: frames[frames.length - 1].name };
    root._bp = st;

    function show(i) {
      i = Math.max(0, Math.min(frames.length - 1, i));
      st.i = i;
      if (painter) painter.show(i);
      else window.Plotly.react(plot, traces(i), fig.layout,
                               { displayModeBar: false, staticPlot: true });
      st.rendered += 1;
      const now = performance.now();  // for the bench: frames per second while playing
      st.times.push(now);
      if (st.times.length > 200) st.times.shift();
      const seq = st.rendered;  // the log keeps frames the screen showed: the last one
      requestAnimationFrame(function () {  // drawn before a paint, at that paint
        if (seq === st.rendered && st.log.length < 5000)
          st.log.push([performance.now(), frames[i].name]);
      });
      const ex = frames[i].explain || {};
      head.textContent = ex.head || "";
      body.textContent = "";
      (ex.body || []).forEach(function (p) { body.appendChild(el("p", "", p)); });
      math.textContent = (ex.math || []).join("\n");
      panel.scrollTop = 0;
      more();
      root.dataset.phase = ex.phase || "";
      root.dataset.frame = String(i);
      scrub.value = i;
      count.textContent = num(i) + " / " + num(frames.length - 1);
      back.disabled = i === 0;
      next.disabled = i === frames.length - 1;
    }
    function more() {  // the explanation is longer than its box: a shadow at the bottom
      root.classList.toggle("bp-more",
                            panel.scrollHeight - panel.scrollTop > panel.clientHeight + 2);
    }
    panel.addEventListener("scroll", more, { passive: true });
    function stop() {
      st.playing = false; clearTimeout(st.timer);
      play.textContent = "▶ " + L.play; root.dataset.playing = "0";
    }
    function tick() {
      if (!st.playing) return;
      if (st.i >= frames.length - 1) { stop(); return; }
      show(st.i + 1);
      // the next frame on the clock, not after this one's drawing: steady frames/s
      // (late after a busy moment: half a period from now, not a burst of frames
      // drawn between two paints that nobody sees)
      const sp = Number(speed.value);
      st.due = Math.max(st.due + sp, performance.now() + sp / 2);
      st.timer = setTimeout(tick, Math.max(0, st.due - performance.now()));
    }
    function start() {
      if (st.i >= frames.length - 1) show(0);
      st.playing = true; play.textContent = "❚❚ " + L.pause; root.dataset.playing = "1";
      st.due = performance.now() + Math.min(Number(speed.value), 250);
      st.timer = setTimeout(tick, Math.min(Number(speed.value), 250));
    }
    st.toggle = function () { if (st.playing) stop(); else start(); };
    st.step = function (d) { stop(); show(st.i + d); };
    st.show = show;
    st.bench = function (n) {  // frames drawn per second, as fast as the browser can
      stop();
      const t0 = performance.now();
      for (let k = 0; k < n; k++) show((st.i + 1) % frames.length);
      return n / ((performance.now() - t0) / 1000);
    };
    // a mouse click leaves no focus on the button: the space bar then plays, as the keys
    // line says, instead of pressing the last button clicked again (a keyboard user who
    // tabbed to a button keeps it)
    function clicked(e, act) { KEYS_OWNER.current = st; act(); if (e.detail) e.target.blur(); }
    play.onclick = function (e) { clicked(e, st.toggle); };
    back.onclick = function (e) { clicked(e, function () { st.step(-1); }); };
    next.onclick = function (e) { clicked(e, function () { st.step(1); }); };
    scrub.oninput = function () { stop(); show(Number(scrub.value)); };
    root.addEventListener("pointerdown", function () { KEYS_OWNER.current = st; });

    function fit() {  // scale the drawing so text grows with the stage
      const w = fig.layout.width, h = fig.layout.height;
      const box = root.getBoundingClientRect();
      const stacked = box.width < data.stack_below, below = stacked || !!data.panel_below;
      root.classList.toggle("bp-stacked", stacked);
      // beside the graph, the explanation gets 42% of the stage (16 to 34 rem)
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const pw = Math.min(Math.max(16 * rem, box.width * 0.42), 34 * rem);
      panel.style.flex = below ? "" : "0 0 " + pw + "px";
      const gw = below ? box.width : box.width - pw - 16;
      // the explanation's height, the tallest seen: a frame whose text wraps once more
      // must not rescale the graph (and resize the stage, and refit, ...)
      st.ph = Math.max(st.ph || 0, below && !stacked ? panel.getBoundingClientRect().height : 0);
      const ph = st.ph ? st.ph + 16 : 0;
      const vh = window.innerHeight, ch = controls.getBoundingClientRect().height;
      // a stage near the top of the page fits the rest of the window (the projector)
      const top = Math.max(0, Math.min(box.top + window.scrollY, vh * 0.35));
      const avail = stacked ? vh * data.stack_vh : vh * data.fit_vh - top - ch - ph - 14;
      const s = Math.max(0.2, Math.min(data.max_scale, gw / w, Math.max(avail, 200) / h));
      st.scale = s;
      plot.style.width = w + "px"; plot.style.height = h + "px";
      plot.style.transform = "scale(" + s + ")";
      graph.style.width = Math.ceil(w * s) + "px"; graph.style.height = Math.ceil(h * s) + "px";
      // beside the graph: one height for every frame (the page below must not move while
      // it plays); a longer explanation scrolls inside, and says so (bp-more)
      panel.style.height = below ? "" : Math.max(Math.ceil(h * s), avail, 240) + "px";
      more();
      root.dataset.scale = s.toFixed(3);
      root.dataset.fontPx = ((fig.meta && fig.meta.font_px) * s).toFixed(1);
    }
    st.fit = fit;
    if (window.ResizeObserver) new ResizeObserver(fit).observe(root);
    window.addEventListener("resize", fit);
    fit();
    show(Math.max(0, Math.min(frames.length - 1, data.at === undefined ? data.start || 0
                                                  : data.at)));
    const owner = KEYS_OWNER.current;  // a rebuilt stage takes over its old player's keys
    if (data.claim_keys || !owner || owner.root === root || !owner.root.isConnected)
      KEYS_OWNER.current = st;
    root.dataset.ready = "1";
    if (data.autoplay) {  // a chunk the learner asked for plays at once, where they look
      const b = root.getBoundingClientRect();
      if (b.top < 0 || b.top > window.innerHeight * 0.6) root.scrollIntoView();
      start();
    }
    LIVE.add(st);
    return st;
  }

  function onKey(e) {
    let st = KEYS_OWNER.current;
    if (!st || !inView(st)) {  // the keys drive a stage the learner can see
      for (const o of LIVE) if (!o.root.isConnected || o.root._bp !== o) LIVE.delete(o);
      st = [...LIVE].find(inView) || st;
    }
    if (!st || !st.root.isConnected || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable))
      return;  // typing a program: the keys are the editor's
    if (e.key === "ArrowRight") { st.step(1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { st.step(-1); e.preventDefault(); }
    else if (e.key === " " && tag !== "BUTTON") { st.toggle(); e.preventDefault(); }
  }
  document.addEventListener("keydown", onKey);

  function names(fig) { return fig.frames.map(function (f) { return f.name; }).join("|"); }

  function mount(root, data) {
    if (root._bp && root._bp.sig === data.sig) { root._bp.fit(); return root._bp; }
    const old = root._bp;
    if (old) {
      clearTimeout(old.timer); old.playing = false;
      // the same episode from the same start in another language or digits (frame names
      // are the steps' ids, not text): stay on the frame the room is looking at (a new
      // start, e.g. a step picked below the stage, still moves it)
      if (old.names === names(data.fig) && old.start === (data.start || 0))
        data = Object.assign({}, data, { at: old.i });
      else if (data.scroll_on_change) {  // projector: a new example was picked below
        const box = root.getBoundingClientRect();
        if (box.top < 0 || box.top > window.innerHeight * 0.5) root.scrollIntoView();
        const a = document.activeElement;  // the picker keeps the arrow keys otherwise
        if (a && a !== document.body && !root.contains(a)) a.blur();
      }
    }
    const pending = el("div", "bp-loading", data.labels.loading || "…");
    if (!window.Plotly) { root.textContent = ""; root.appendChild(pending); }
    root._bpSig = data.sig;
    return loadPlotly(data.plotly_src).then(function () {
      if (root._bpSig !== data.sig) return null;  // a newer episode arrived meanwhile
      const st = build(root, data);
      st.sig = data.sig;
      st.names = names(data.fig);
      st.start = data.start || 0;
      return st;
    });
  }

  window.bpStage = { mount: mount, preload: loadPlotly };
})();
