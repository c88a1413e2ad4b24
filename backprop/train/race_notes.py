"""What one optimizer did to one number at one step, in numbers (the race's captions).

Every value shown comes from the recorded history: the parameter before and after,
the gradient the optimizer used, and the state torch.optim kept (momentum buffer;
Adam's m, v and step t; RMSprop's running average s). Only Adam's bias-corrected
m̂ = m / (1 - β1^t) and v̂ = v / (1 - β2^t) are derived, from those recorded values;
the change the optimizer's record predicts (optimizers.OPTIMIZERS[...].change) is then
checked against PyTorch's own change (✓ when they agree to float32 precision).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop.i18n import DEFAULT_LANG, t
from backprop.train.optimizers import MOMENTUM, OPTIMIZERS, RMS_ALPHA, adam_hats
from backprop.train.race import Race, Racer
from backprop.train.training import History


@dataclass(frozen=True)
class Update:
    """Update number `step` (1-based) of one entry of one parameter."""

    racer: Racer
    step: int
    before: float
    grad: float
    after: float
    state: dict[str, float]  # torch.optim's state keys after the step
    previous: dict[str, float]  # ... and before it (empty at the first step)

    def predicted(self) -> float:
        """The change the optimizer's rule gives for the recorded numbers."""
        return OPTIMIZERS[self.racer.optimizer].change(self.racer.lr, self.grad, self.state)

    def agrees(self) -> bool:
        """Does the rule reproduce PyTorch's change (to float32 precision)?"""
        change = self.after - self.before
        tol = 2e-7 * max(1.0, abs(self.before), abs(self.after)) + 1e-4 * abs(change)
        return abs(self.predicted() - change) <= tol


def racer_at(race: Race, i: int, step: int) -> Racer:
    """Who made update `step` of run i: a branch's updates up to k are the original's."""
    if race.branch_at is not None and i == 1 and step <= race.branch_at:
        return race.racers[0]
    return race.racers[i]


def update_of(race: Race, i: int, step: int, name: str, index: int) -> Update:
    h: History = race.histories[i]
    k = step - 1

    def state(j: int) -> dict[str, float]:
        if j < 0:
            return {}
        flat = {key: np.asarray(v).reshape(-1) for key, v in h.state[j].get(name, {}).items()}
        # Adam's step t is one number per parameter; the rest match its shape
        return {key: float(v[index] if v.size > 1 else v[0]) for key, v in flat.items()}
    return Update(racer_at(race, i, step), step,
                  float(h.params[name][k].reshape(-1)[index]),
                  float(h.grads[name][k].reshape(-1)[index]),
                  float(h.params[name][k + 1].reshape(-1)[index]), state(k), state(k - 1))


def _n(v: float) -> str:
    return f"{v:.4g}"


def _f(v: float) -> str:
    """A factor inside a product: negatives in brackets, so `0.9·(-0.02)` reads right."""
    return f"({v:.4g})" if v < 0 else f"{v:.4g}"


def note(race: Race, i: int, step: int, name: str, index: int, label: str,
         lang: str = DEFAULT_LANG) -> str:
    """The caption of run i at frame `step` (weights after `step` updates), lines
    joined by <br> (Plotly's line break; no user text is ever part of it)."""
    h = race.histories[i]
    entry = entry_label(name, h.params[name][0].shape, index)
    if step == 0:
        value = float(h.params[name][0].reshape(-1)[index])
        return "<br>".join([label, t("race.note.start", lang), f"{entry} = {_n(value)}"])
    u = update_of(race, i, step, name, index)
    lines = [label, t("race.note.update", lang, step=step, loss=_n(h.losses[step - 1]))]
    if u.racer != race.racers[i]:  # a branch before its step k: the original's update
        lines.append(t("race.note.past", lang, step=race.branch_at))
    lines += [*_wrap(entry, f"{_n(u.before)} → {_n(u.after)}"), f"g = {_n(u.grad)}"]
    s, prev = u.state, u.previous
    opt = u.racer.optimizer  # the state it keeps, in numbers (plain SGD keeps none)
    if opt == "momentum":  # torch.optim starts the buffer at the first gradient
        lines += _eq(f"v ← {MOMENTUM}·{_f(prev['momentum_buffer'])} + g"
                     if "momentum_buffer" in prev else "v ← g", s["momentum_buffer"])
    elif opt == "adam":
        m_hat, v_hat = adam_hats(s)
        lines += [f"t = {int(s['step'])}, m = {_n(s['exp_avg'])}", f"v = {_n(s['exp_avg_sq'])}",
                  *_eq("m̂ = m/(1−β₁ᵗ)", m_hat), *_eq("v̂ = v/(1−β₂ᵗ)", v_hat)]
    elif opt == "rmsprop":
        lines += _eq(f"s ← {RMS_ALPHA}·s + {1 - RMS_ALPHA:.2f}·g²", s["square_avg"])
    lines += _eq(f"Δ = {OPTIMIZERS[opt].delta}", u.after - u.before,
                 " ✓" if u.agrees() else " ✗")
    return "<br>".join(lines)


WIDTH = 27  # characters a caption line may take (four panels side by side)


def _eq(lhs: str, value: float, tail: str = "") -> list[str]:
    """`lhs = value` on one line when it fits, else the value on the next line."""
    one = f"{lhs} = {_n(value)}{tail}"
    return [one] if len(one) <= WIDTH else [lhs, f"  = {_n(value)}{tail}"]


def _wrap(entry: str, change: str) -> list[str]:
    """`w: 1 → 2` on one line when it fits the panel, else the change indented below."""
    return [f"{entry}: {change}"] if len(entry) + len(change) + 2 <= WIDTH \
        else [entry, "  " + change]


def entry_label(name: str, shape: tuple[int, ...], index: int) -> str:
    """`layers.0.weight[1, 0]` for entry `index` (row-major) of a parameter."""
    if not shape:
        return name
    where = np.unravel_index(index, shape)
    return f"{name}[{', '.join(str(int(j)) for j in where)}]"


def entries(h: History) -> list[tuple[str, int]]:
    """Every (parameter, flat index) a caption can follow, in the model's order."""
    return [(n, j) for n in h.names for j in range(h.params[n][0].size)]
