"""The Expression Lab's shared work: a program's run and its finite-difference check,
once for every session that shows the same program and inputs (ui/shared.py), never
per language.

The Trace, a refusal and the finite-difference table are data: the page says them in
its language, so switching language runs nothing again. A preset shown in another
language differs only in its comments; it is the same program, run once. Here, not in
the page: a cache made at a page script's top level would be a new, empty one on every
rerun. Every session reads the same frozen Trace (st.cache_data unpickled a copy for
each session, on each rerun).
"""

from __future__ import annotations

from dataclasses import replace

from backprop.teach.fd import FDCheck, finite_differences
from examples.presets import Preset
from graphviz_tools import ProgramError, Trace, run_program
from ui.shared import shared

Inputs = tuple[tuple[str, float], ...]


@shared("lab.run", max_entries=512, max_bytes=32 * 2**20)
def run_cached(source: str, inputs: Inputs) -> Trace:
    """One run per program and inputs; the cache keeps a refusal too (it is data), but
    not a busy server's timeout (ui/shared.py)."""
    return run_program(source, dict(inputs), sandboxed=True)  # envelope (issue 11)


@shared("lab.fd", max_entries=512, max_bytes=16 * 2**20)
def fd_cached(source: str, inputs: Inputs, names: tuple[str, ...]) -> dict[str, FDCheck]:
    # every rerun in one envelope worker; past the budget, the table says "—" (fd_once)
    return finite_differences(source, list(names), dict(inputs), sandboxed=True)


def _canonical(source: str, preset: Preset) -> str:
    return preset.code if source in preset.variants() else source


def run_once(source: str, inputs: Inputs, preset: Preset) -> Trace | ProgramError:
    """The run of `source` (this language's text of it on the Trace)."""
    code = _canonical(source, preset)
    try:
        result = run_cached(code, inputs)
    except ProgramError as err:  # a refusal is shown, in the page's language
        return err
    return result if code == source else replace(result, source=source)


def fd_once(source: str, inputs: Inputs, names: tuple[str, ...],
            preset: Preset) -> dict[str, FDCheck]:
    try:
        return fd_cached(_canonical(source, preset), inputs, names)
    except ProgramError:
        return {}
