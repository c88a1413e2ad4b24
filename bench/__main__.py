"""python -m bench [--quick] [--no-server] [--stage] [--first-load] [--classroom N]: the table.

Every figure is a ratio against a baseline timed in the same process on the same
graph (bare `dot`, torchviz), or a size; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from backprop.draw.layout import clear_layouts, layout, run_dot
from bench import cases
from bench.timing import median_s, row, table
from graphviz_tools import graph_of, run_program, to_dot

KB = 1024


def render_ratios(rows: list, quick: bool) -> None:
    """Our graph_of + to_dot + dot vs bare dot on our DOT, and vs torchviz."""
    from torchviz import make_dot

    named = [("seed", lambda: (cases.seed_tensor(), {}))]
    if not quick:
        named += [("MLP x128", cases.mlp_tensor), ("ResNet-50 (meta)", cases.resnet_tensor)]
    for name, make in named:
        tensor, params = make()
        # small graphs are a ~13 ms `dot` spawn each: more repeats to beat the noise
        repeat = 3 if quick else (21 if len(graph_of(tensor, params).nodes) < 50 else 7)
        _render_case(rows, name, tensor, params, make_dot, repeat)


def _render_case(rows: list, name: str, tensor: object, params: dict, make_dot: object,
                 repeat: int) -> None:
    dot_text = to_dot(graph_of(tensor, params))
    ours = median_s(lambda: run_dot(to_dot(graph_of(tensor, params)), "svg"), repeat)
    bare = median_s(lambda: run_dot(dot_text, "svg"), repeat)
    tv = median_s(lambda: make_dot(tensor, params=params).pipe(format="svg"), repeat)
    n = len(graph_of(tensor, params).nodes)
    rows.append(row(f"render {name} ({n} nodes) / bare dot", f"{ours / bare:.2f}x",
                    "<= 1.2x", ours / bare <= 1.2))
    rows.append(row(f"render {name} / torchviz make_dot+pipe", f"{ours / tv:.2f}x",
                    "<= 1.0x", ours / tv <= 1.0))


def new_step_ratio(rows: list) -> None:
    """Layout of a structure seen before (new values) vs a cold layout: `layout()` is
    what the animation and the stage call, on the one layout DOT (layout_dot)."""
    a = run_program("z = x * y + x\nw = torch.tanh(z) * y", {"x": 1.0, "y": 2.0})
    b = run_program("z = x * y + x\nw = torch.tanh(z) * y", {"x": -3.0, "y": 0.5})
    cold_times, warm_times = [], []
    for _ in range(5):
        clear_layouts()
        t0 = time.perf_counter()
        layout(a.graph)
        cold_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        layout(b.graph)
        warm_times.append(time.perf_counter() - t0)
    cold, warm = sorted(cold_times)[2], sorted(warm_times)[2]
    rows.append(row("new step, same structure / cold layout", f"{warm / cold:.1%}",
                    "<= 5%", warm / cold <= 0.05))


def sizes(rows: list, quick: bool) -> None:
    from backprop.draw.animation import figure
    from backprop.train.training import TrainConfig, Trainer
    from examples.networks import NETWORKS
    from examples.presets import PRESETS

    for key, p in PRESETS.items():
        if quick and key != "seed-mean":
            continue
        size = len(json.dumps(figure(run_program(p.code, p.inputs)), separators=(",", ":"),
                              ensure_ascii=False).encode())
        goal = "< 100 KB" if key == "seed-mean" else ""
        rows.append(row(f"animation JSON: {key}", f"{size / KB:.1f} KB", goal,
                        size < 100 * KB if key == "seed-mean" else None))
    net = NETWORKS["classifier"]
    cfg = TrainConfig("classifier", lr=net.lr, settings=net.defaults)

    def train() -> None:
        Trainer(cfg, net.build(net.defaults, 0), net.data(net.defaults, 0), "bce").run(
            100 if quick else 1000)
    t = median_s(train, repeat=3, warmup=1)
    rows.append(row(f"classifier: {100 if quick else 1000} training steps", f"{t:.2f} s",
                    "well under 1 s", t < 1.0))


def resnet(rows: list) -> None:
    from backprop.anatomy.attribution import collapse, trace_model
    from examples.models import MODELS

    spec = MODELS["resnet50"]
    spec.build()(spec.example())  # the meta device's one-time warm-up
    for depth in (1, 2, 0):
        def run(depth: int = depth) -> None:
            mt = trace_model("resnet50", spec.build(), spec.example())
            g, labels = collapse(mt, depth) if depth else (mt.graph, {})
            run_dot(to_dot(g, rankdir="TB", labels=labels, values=depth != 0), "json0")
        t = median_s(run, repeat=3, warmup=1)
        what = f"depth {depth}" if depth else "full graph"
        rows.append(row(f"ResNet-50 {what}: trace + collapse + layout", f"{t * 1000:.0f} ms",
                        "< 1 s", t < 1.0))


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny cases only (used by the tests)")
    ap.add_argument("--no-server", action="store_true", help="skip the server memory run")
    ap.add_argument("--stage", action="store_true",
                    help="only the two stages in headless Chromium (bench/stage.py, net_stage.py)")
    ap.add_argument("--first-load", action="store_true",
                    help="only where a first load's time goes (bench/first_load.py)")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="with --stage: another checkout to compare with (ratios)")
    ap.add_argument("--classroom", type=int, metavar="N",
                    help="only the class run: N browser sessions on one server")
    ap.add_argument("--hostile", action="store_true",
                    help="with --classroom: one more session sends worst-case programs")
    ap.add_argument("--browsers", choices=["idle", "plain"], default="idle",
                    help="with --classroom: Chromium under SCHED_IDLE (the server's "
                         "priority on its own machine, default) or at the server's priority")
    ap.add_argument("--clients", choices=["chromium", "protocol"], default="chromium",
                    help="with --classroom: N Chromium contexts (default) or N protocol "
                         "clients (bench/wsclient.py: what the server gives a class)")
    ap.add_argument("--chromium", type=int, default=3, metavar="K",
                    help="with --clients protocol: K real Chromium contexts in the wave too")
    args = ap.parse_args()
    rows: list = []
    if args.first_load:
        from bench.first_load import first_load
        first_load(rows)
        print(table(rows))
        return
    if args.stage:
        from bench.net_stage import stage_rows
        from bench.stage import stage_budgets
        stage_budgets(rows, args.baseline)
        stage_rows(rows)
        print(table(rows))
        return
    if args.classroom and args.clients == "protocol":
        from bench.wsclass import protocol_class
        protocol_class(rows, args.classroom, args.chromium, args.hostile)
        print(table(rows))
        return
    if args.classroom:
        from bench.classroom import classroom, cold_start
        cold_start(rows)
        classroom(rows, args.classroom, args.hostile, args.browsers)
        print(table(rows))
        return
    render_ratios(rows, args.quick)
    new_step_ratio(rows)
    from bench.envelope import envelope_costs
    envelope_costs(rows)
    sizes(rows, args.quick)
    from bench.race import race  # the optimizer race (issue 17)
    race(rows, args.quick)
    if not args.quick:
        resnet(rows)
    if not (args.quick or args.no_server):
        from bench.memory import server_memory
        from bench.net_stage import stage_rows
        server_memory(rows)
        stage_rows(rows)
    print(table(rows))


if __name__ == "__main__":
    main()
