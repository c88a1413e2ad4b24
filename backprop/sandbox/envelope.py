"""The envelope: every user-triggered action runs in a worker process under OS limits.

The pre-checks in guards.py give clear messages for the cases we know; this is the
backstop for the rest. Workers are forked from a forkserver that has torch and the
engine preloaded and warmed (a clean, single-threaded parent: forking the Streamlit
server itself would copy its threads' locks); each serves actions under per-action
CPU and address-space limits (worker.py says which and why) until it retires, and
a fresh one takes its place. Here, the server side:

- wall clock: a worker that has not answered in `wall_seconds` is killed;
- output: a pickled result over `result_bytes` is refused in the worker;
- a killed or crashed worker is one clear ProgramError, in the UI language; the
  server and every other session go on (a few workers run actions at once).
"""

from __future__ import annotations

import io
import logging
import multiprocessing as mp
import os
import pickle
import signal
import threading
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from typing import Any

from backprop.core.errors import ProgramError
from backprop.sandbox.os_limits import DEFAULT_BUDGET, Budget, limit_self  # noqa: F401 (the CLI's)
from backprop.sandbox.worker import Usage

log = logging.getLogger(__name__)

# name -> "module:function" (imported in the worker; the forkserver preloads them)
ACTIONS: dict[str, str] = {
    "trace": "backprop.actions:trace",
    "program": "backprop.actions:program",
    "fd": "backprop.actions:fd",
    "csv": "backprop.actions:csv",
    "checkpoint": "backprop.actions:checkpoint",
    "train": "backprop.actions:train",
    "race_figure": "backprop.train.race_figures:race_figure",
    "probe": "backprop.actions:probe",  # tests and bench: misbehave on purpose
}
PRELOAD = ["torch", "backprop.sandbox.worker", "backprop.actions", "backprop.warm",
           "backprop.train.race_figures"]




def _worker(conn: Any, budget: Budget) -> None:
    from backprop.sandbox.worker import serve  # preloaded in the forkserver (see PRELOAD)

    serve(conn, budget, ACTIONS)


# -- server side ---------------------------------------------------------------
class _Popen(popen_forkserver.Popen):
    """multiprocessing's forkserver Popen, minus re-running the parent's __main__ in
    the worker (a script, a test runner or the CLI must not run twice; workers need
    only the preloaded engine). The rest is the standard library's _launch."""

    def _launch(self, process_obj: Any) -> None:
        prep = {k: v for k, v in spawn.get_preparation_data(process_obj._name).items()
                if not k.startswith("init_main")}
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:  # noqa: N802 - multiprocessing's name
        return _Popen(process_obj)


class Envelope:
    """A small pool of one-shot workers; `call` runs one named action in one of them."""

    def __init__(self, budget: Budget = DEFAULT_BUDGET, concurrent: int = 2,
                 spares: int = 1) -> None:
        self.budget, self.spares = budget, spares
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(PRELOAD)
        self._lock = threading.Lock()
        self._idle: list[tuple[Any, Any]] = []  # (process, parent end of the pipe)
        self._slots = threading.Semaphore(concurrent)  # actions running at once
        self._local = threading.local()  # this thread's last Usage

    def _spawn(self) -> tuple[Any, Any]:
        parent, child = self._ctx.Pipe()
        proc = _Process(target=_worker, args=(child, self.budget), daemon=True)
        proc.start()
        child.close()
        return proc, parent

    def warm(self) -> None:
        """Start the forkserver (imports torch once) and the spare workers."""
        with self._lock:
            while len(self._idle) < self.spares:
                self._idle.append(self._spawn())

    def _take(self) -> tuple[Any, Any]:
        with self._lock:
            while self._idle:
                proc, conn = self._idle.pop(0)
                if proc.is_alive():
                    return proc, conn
                conn.close()
        return self._spawn()

    def _refill(self) -> None:
        try:
            self.warm()
        except Exception:  # noqa: BLE001 - a missing spare only costs the next call a fork
            log.exception("could not start a spare worker")

    def call(self, action: str, *args: Any, lang: str | None = None, **kwargs: Any) -> Any:
        """Run `ACTIONS[action](*args, **kwargs)` in a worker; ProgramError on refusal,
        in `lang` (default: the language the action's own error chose, else English)."""
        if action not in ACTIONS:
            raise ValueError(action)
        with self._slots:
            proc, conn = self._take()
            reply, keep = None, False
            try:
                reply, keep = self._exchange(proc, conn, (action, args, kwargs), lang)
            finally:
                if keep:
                    with self._lock:
                        self._idle.append((proc, conn))
                else:  # reaping and forking a fresh one happen after the reply
                    conn.close()
                    threading.Thread(target=self._reap, args=(proc,), daemon=True).start()
        if reply[0] == "ok":
            return reply[1]
        _, key, line, col, params, worker_lang = reply
        raise ProgramError(key, line, col, lang or worker_lang, **params)

    def _reap(self, proc: Any) -> None:
        proc.join(0.5)
        if proc.is_alive():
            proc.kill()
            proc.join(1)
        self._refill()

    def _exchange(self, proc: Any, conn: Any, msg: tuple, lang: str | None
                  ) -> tuple[tuple, bool]:
        """(the worker's reply, whether it can serve again); a killed worker raises."""
        b = self.budget
        self._local.usage = None
        try:
            conn.send(msg)
            if not conn.poll(b.wall_seconds):
                proc.kill()
                raise ProgramError("budget_time", lang=lang or "en", seconds=b.wall_seconds)
            data, usage, retire = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError, BrokenPipeError):
            proc.join(1)
            raise self._death(proc.exitcode, lang or "en") from None
        self._local.usage = usage
        return pickle.loads(data), not retire

    def _death(self, code: int | None, lang: str) -> ProgramError:
        b = self.budget
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return ProgramError("budget_cpu", lang=lang, seconds=b.cpu_seconds)
        log.warning("worker ended with exit code %s", code)
        return ProgramError("budget_memory", lang=lang, mb=b.memory_mb)

    def last_usage(self) -> Usage | None:
        """What this thread's last action cost (None: its worker was killed)."""
        return getattr(self._local, "usage", None)

    def pids(self) -> list[int]:
        """Spare workers' process ids (bench: memory of the idle pool)."""
        with self._lock:
            return [p.pid for p, _ in self._idle if p.pid is not None]


_shared: Envelope | None = None
_shared_lock = threading.Lock()


def envelope() -> Envelope:
    """The process-wide envelope (one forkserver, one pool), made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Envelope()
        return _shared


def prestart() -> None:
    """Start the forkserver and a spare worker in the background (the server calls
    this at start: the first Run then finds a warm worker, not a 5 s cold start)."""
    env = envelope()
    threading.Thread(target=env._refill, daemon=True, name="envelope-warm").start()


def run(action: str, *args: Any, lang: str | None = None, **kwargs: Any) -> Any:
    """Shorthand: `envelope().call(...)`."""
    return envelope().call(action, *args, lang=lang, **kwargs)
