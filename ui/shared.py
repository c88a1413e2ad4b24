"""Work shared by every session: one computation per key, kept in a bounded cache.

Sixty students opening the teacher's link ask for the same run, the same training
episode, the same figure. The first asks; the others wait for that one computation
(one lock per key) and then read the stored result. Refusals are stored too: a hostile
link opened by a whole class costs one budget, not sixty.

Values must be read-only (frozen dataclasses, strings, bytes, tuples): every session
gets the same object, never a copy. The cache is bounded by entries and by bytes
(least recently used first out); a result larger than the byte budget is returned but
not kept. Bytes are pickled bytes: a value held as Python dicts and lists (a figure)
takes several times that in memory, so budgets of such caches are set lower. With
BACKPROP_STATS set to a file path, every lookup appends one JSON line
(`{"cache": name, "hit": bool}`) so `python -m bench --classroom` can report a hit rate.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

from backprop.core.errors import ProgramError

P = ParamSpec("P")
R = TypeVar("R")
_STATS_LOCK = threading.Lock()
# Refusals never kept: a wall-clock timeout says the server was busy, not that the work
# is too big (CPU and memory budgets are the program's own: those are kept).
TRANSIENT = frozenset({"budget_time"})


class SharedCache:
    """A thread-safe LRU of (value or refusal) by key, bounded in entries and bytes."""

    def __init__(self, name: str, max_entries: int, max_bytes: int,
                 keep_refusals: bool = True) -> None:
        self.name, self.max_entries, self.max_bytes = name, max_entries, max_bytes
        # False where a refusal may be passing (a `dot` timeout on a busy server)
        self.keep_refusals = keep_refusals
        self._items: OrderedDict[Hashable, tuple[bool, Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The stored value for `key`, computing it once (other callers wait)."""
        found = self._lookup(key)
        if found is None:
            with self._key_lock(key):
                found = self._lookup(key)  # computed while we waited
                if found is None:
                    _record(self.name, hit=False)
                    found = self._compute(key, compute)
                else:
                    _record(self.name, hit=True)
        else:
            _record(self.name, hit=True)
        ok, value = found
        if not ok:
            raise value
        return value

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def _lookup(self, key: Hashable) -> tuple[bool, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0], item[1]

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _compute(self, key: Hashable, compute: Callable[[], Any]) -> tuple[bool, Any]:
        try:
            try:
                found: tuple[bool, Any] = (True, compute())
            except ProgramError as e:  # a refusal is an answer too
                found = (False, e)
            keep = found[0] or (self.keep_refusals and found[1].key not in TRANSIENT)
            size = _size(found[1]) if keep else 0
            with self._lock:
                if keep and size <= self.max_bytes:
                    self._items[key] = (*found, size)
                    self._bytes += size
                    while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                        _, (_, _, gone) = self._items.popitem(last=False)
                        self._bytes -= gone
        finally:  # only now: a newcomer before the insert would compute it again
            with self._lock:
                self._key_locks.pop(key, None)  # waiters hold it; newcomers find the value
        return found


def shared(name: str, max_entries: int = 256, max_bytes: int = 64 * 2**20
           ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: calls with equal (hashable) arguments share one computation."""
    cache = SharedCache(name, max_entries, max_bytes)

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items())))
            return cache.get(key, lambda: fn(*args, **kwargs))
        inner.cache = cache  # type: ignore[attr-defined]
        return inner
    return wrap


def _size(value: Any) -> int:
    if isinstance(value, (bytes, str)):
        return len(value)
    try:
        return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - unpicklable: count it as large, it still works
        return 1 << 20


def _record(name: str, hit: bool) -> None:
    path = os.environ.get("BACKPROP_STATS")
    if not path:
        return
    with _STATS_LOCK, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"cache": name, "hit": hit}) + "\n")
