"""The Expression Lab's shared work: a program's run and its finite-difference check,
once for every session that shows the same program and inputs (ui/shared.py).

Here, not in the page: a page script runs again on every rerun, and a cache made at
its top level would be a new, empty one each time. Every session reads the same frozen
Trace (st.cache_data unpickled a copy for each session, on each rerun).
"""

from __future__ import annotations

from graphviz_tools import ProgramError, Trace, run_program
from graphviz_tools.fd import FDCheck, finite_differences
from ui.shared import shared


@shared("lab.run", max_entries=512, max_bytes=32 * 2**20)
def run_cached(source: str, inputs: tuple[tuple[str, float], ...], language: str) -> Trace:
    return run_program(source, dict(inputs), language, sandboxed=True)  # envelope (issue 11)


@shared("lab.fd", max_entries=512, max_bytes=16 * 2**20)
def fd_cached(source: str, inputs: tuple[tuple[str, float], ...],
              names: tuple[str, ...]) -> dict[str, FDCheck]:
    try:  # every rerun in one envelope worker; past the budget, the table says "—"
        return finite_differences(source, list(names), dict(inputs), sandboxed=True)
    except ProgramError:
        return {}
