"""Command line: a headless door to the engine (tests and scripts use it).

    python -m graphviz_tools trace  [FILE|-] [--json]
    python -m graphviz_tools render [FILE|-] -o graph.svg   (svg | png | dot by suffix)
    python -m graphviz_tools animate [FILE|-] -o anim.html  (standalone page; .json: figure)
    python -m graphviz_tools train --network NAME --steps N [--lr F] [--optimizer O] --json
    python -m graphviz_tools train --network NAME --steps N --compare sgd,adam:0.01 --json
    python -m graphviz_tools train --network NAME --steps N --branch-at K --lr F --json
    python -m graphviz_tools summary MODEL [--json]
    python -m graphviz_tools render --model MODEL [--depth K] -o graph.svg

Exit 0 on success; exit 2 with one line on stderr for refused or invalid input.
The engine does not import `examples/`: the caller (graphviz_tools/__main__.py) passes
the registries of models and tiny networks in, as loaders called only when needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backprop.capture.program import run_program
from backprop.core.errors import ProgramError
from backprop.core.fmt import compact
from backprop.draw.animation import figure
from backprop.draw.export import animation_html
from backprop.draw.layout import render
from backprop.i18n import LANGUAGES
from backprop.sandbox.envelope import limit_self
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.race_cli import cmd_race

MAX_CLI_STEPS = 100_000


@dataclass(frozen=True)
class Registries:
    """name -> spec loaders: a model spec has .name, .build(), .example(); a network
    has .build, .data, .defaults, .lr (examples/models.py, examples/networks.py)."""

    models: Callable[[], Mapping[str, Any]] = dict
    networks: Callable[[], Mapping[str, Any]] = dict


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProgramError("internal", detail=f"cannot read {path}: {e.__class__.__name__}") \
            from None


def _inputs(pairs: list[str]) -> dict[str, float]:
    out = {}
    for p in pairs:
        name, _, value = p.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ProgramError("input_value", name=name.strip()) from None
    return out


def cmd_trace(args: argparse.Namespace) -> None:
    trace = run_program(_read(args.file), _inputs(args.input))
    if args.json:
        print(json.dumps(trace.to_dict(), ensure_ascii=False))
        return
    for line in trace.prints:
        print(line)
    for n in trace.graph.nodes:
        label = n.name or n.op or ""
        print(f"{n.id:>4} {n.kind:<6} {label:<20} value={compact(n.value)} "
              f"grad={compact(n.grad)}")


def _model(args: argparse.Namespace) -> Any:
    models = args.registries.models()
    spec = models.get(args.model)
    if spec is None:
        raise ProgramError("model", name=args.model, names=", ".join(models))
    return spec


def cmd_render(args: argparse.Namespace) -> None:
    out = Path(args.output)
    fmt = out.suffix.lstrip(".").lower()
    if args.model:
        from backprop.anatomy.attribution import collapse, trace_model
        from backprop.draw.dot import to_dot

        spec = _model(args)
        mt = trace_model(spec.name, spec.build(), spec.example())
        graph, labels = collapse(mt, args.depth) if args.depth else (mt.graph, {})
        data = render(to_dot(graph, args.lang, rankdir="TB", labels=labels), fmt)
    else:
        trace = run_program(_read(args.file), _inputs(args.input))
        data = render(trace, fmt, args.lang)
    out.write_bytes(data)


def cmd_summary(args: argparse.Namespace) -> None:
    from backprop.anatomy.attribution import summarize, trace_model

    spec = _model(args)
    model = spec.build()
    s = trace_model(spec.name, model, spec.example()).summary if not args.no_run \
        else summarize(spec.name, model)
    if args.json:
        print(json.dumps(s.to_dict()))
        return
    print(f"Model: {s.model}")
    print(f"{'Layer':<28}{'Type':<20}{'Output shape':<22}{'Params':>12}")
    for r in s.layers:
        shape = "×".join(map(str, r.output_shape)) if r.output_shape else "?"
        print(f"{r.name[:27]:<28}{r.type[:19]:<20}{shape:<22}{r.params:>12,}"
              + ("" if r.trainable else "  (frozen)"))
    print(f"Total params: {s.total_params:,}\nTrainable params: {s.trainable_params:,}\n"
          f"Non-trainable params: {s.non_trainable_params:,}\n"
          f"Buffers (not parameters: BatchNorm running stats, ...): {s.buffers:,}")


def cmd_animate(args: argparse.Namespace) -> None:
    out = Path(args.output)
    trace = run_program(_read(args.file), _inputs(args.input))
    if out.suffix.lower() == ".json":
        text = json.dumps(figure(trace, args.lang), ensure_ascii=False, separators=(",", ":"))
    elif out.suffix.lower() in (".html", ".htm"):
        text = animation_html(trace, args.lang)
    else:
        raise ProgramError("format", fmt=out.suffix.lstrip(".") or "?")
    out.write_text(text, encoding="utf-8")


def cmd_train(args: argparse.Namespace) -> None:
    from backprop.train.training import TrainConfig, Trainer

    networks = args.registries.networks()
    net = networks.get(args.network)
    if net is None:
        raise ProgramError("network", name=args.network, names=", ".join(networks))
    if args.steps < 0 or args.steps > MAX_CLI_STEPS:
        raise ProgramError("steps", limit=MAX_CLI_STEPS)
    if args.compare is not None or args.branch_at is not None:
        return cmd_race(args, net)
    config = TrainConfig(args.network, args.optimizer, net.lr if args.lr is None else args.lr,
                         args.batch_size, args.seed, args.clip, not args.no_zero_grad,
                         net.defaults)
    trainer = Trainer(config, net.build(net.defaults, args.seed),
                      net.data(net.defaults, args.seed), net.defaults.loss)
    trainer.run(args.steps)
    if args.json:
        print(json.dumps(trainer.history.to_dict(args.network)))
    else:
        for k, loss in enumerate(trainer.history.losses, start=1):
            print(f"step {k:>5}  loss {loss:.6g}")


def main(argv: list[str] | None = None, registries: Registries | None = None) -> int:
    p = _Parser(prog="python -m graphviz_tools", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    common = _Parser(add_help=False)
    common.add_argument("file", nargs="?", default="-", help="program file, or - for stdin")
    common.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                        help="value of a free name (an input)")
    common.add_argument("--lang", choices=sorted(LANGUAGES), default="en")
    t = sub.add_parser("trace", parents=[common], help="program -> trace (JSON with --json)")
    t.add_argument("--json", action="store_true")
    t.set_defaults(run=cmd_trace)
    r = sub.add_parser("render", parents=[common], help="program -> svg | png | dot")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("--model", help="draw a registered model instead of a program")
    r.add_argument("--depth", type=int, default=0, help="collapse to this module depth")
    r.set_defaults(run=cmd_render)
    a = sub.add_parser("animate", parents=[common], help="program -> anim.html | anim.json")
    a.add_argument("-o", "--output", required=True)
    a.set_defaults(run=cmd_animate)
    tr = sub.add_parser("train", help="train a tiny network, print its history")
    tr.add_argument("--network", required=True)
    tr.add_argument("--steps", type=int, required=True)
    tr.add_argument("--lr", type=float)
    tr.add_argument("--optimizer", choices=list(OPTIMIZERS), default="sgd")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--batch-size", type=int, default=0)
    tr.add_argument("--clip", type=float, help="max gradient norm (clip_grad_norm_)")
    tr.add_argument("--no-zero-grad", action="store_true", help="let gradients pile up")
    tr.add_argument("--json", action="store_true")
    tr.add_argument("--compare", metavar="OPT[:LR],...",
                    help="race 2-4 optimizers from the same start (LR defaults to --lr)")
    tr.add_argument("--branch-at", type=int, metavar="K",
                    help="branch from step K with --lr and/or --branch-optimizer")
    tr.add_argument("--branch-optimizer", choices=list(OPTIMIZERS))
    tr.add_argument("--from-lr", type=float, help="with --branch-at: the original's lr")
    tr.set_defaults(run=cmd_train)
    sm = sub.add_parser("summary", help="Keras-style summary of a registered model")
    sm.add_argument("model")
    sm.add_argument("--json", action="store_true")
    sm.add_argument("--no-run", action="store_true", help="do not call the model first")
    sm.set_defaults(run=cmd_summary)
    args = p.parse_args(argv)
    args.registries = registries or Registries()
    if args.run in (cmd_trace, cmd_render, cmd_animate) and not getattr(args, "model", None):
        limit_self()  # a program from a file: the envelope's limits on this process
    try:
        args.run(args)
    except ProgramError as e:
        sys.stderr.write(e.message.replace("\n", " ") + "\n")
        return 2
    except OSError as e:
        sys.stderr.write(f"error: {e.strerror or e}\n")
        return 2
    return 0
