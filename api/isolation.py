"""Untrusted files are opened in a worker process of their own, never in the server's.

Each task runs in a fresh process forked from a small fork server (started once, with the
readers imported) under an address-space limit, and is killed when it outlives its wall-clock
limit. The server's thread only waits on a pipe, so a file that makes GDAL or SQLite loop,
allocate without end or crash costs one worker, not the service. The worker's scratch folder
is made and removed by the server, so nothing is left behind when a worker is killed, and
folders left by a server that was itself killed are removed when it starts again.

A worker answers with its task's result, or with a refusal already said in every language
(:class:`Refusal`): exceptions are not sent between processes.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from api.problems import Problem
from geo.errors import SijieError
from geo.i18n import N_, Lang, t

__all__ = ["Refusal", "Said", "WorkerLimits", "clear_scratch", "run_isolated", "scratch_dir",
           "start_workers"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_SCRATCH_PREFIX = "sijie-upload-"
# the fork server imports the readers once; every worker is a fork of it, so a worker starts
# in milliseconds with GDAL and geopandas loaded, and never a fork of the threaded server
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["api.upload_tasks"])


@dataclass(frozen=True)
class Said:
    """A message already said in each language (what a worker sends back instead of an error)."""

    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        return self.en if Lang.of(lang) is Lang.en else self.zh

    @classmethod
    def of(cls, key: str, **values: object) -> Said:
        """The catalogue message ``key`` said in both languages."""
        return cls(t(key, Lang.zh, **values), t(key, Lang.en, **values))


class Refusal(Problem):
    """A problem whose detail was said by a worker process."""

    def __init__(self, status: int, code: str, said: Said,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, code, headers=headers)
        self.said = said

    def detail(self, lang: Lang) -> str:
        return self.said.message(lang.value)


@dataclass(frozen=True)
class WorkerLimits:
    """What one worker may use: wall-clock seconds, memory (MiB above its start), and how many
    workers may run at once (a request finding all busy waits up to ``seconds``, then 503)."""

    seconds: float = 30.0
    memory_mb: int = 1024
    workers: int = 2


def _refusal_of(exc: BaseException) -> tuple[int, str, Said] | None:
    """The status, code and message of an error a task raised on purpose; ``None`` else."""
    if isinstance(exc, Problem):
        return exc.status, exc.code, Said(exc.detail(Lang.zh), exc.detail(Lang.en))
    if isinstance(exc, SijieError):
        status = int(getattr(exc, "status", 422))
        code = str(getattr(exc, "code", "input_error"))
        return status, code, Said.of(N_("input_error"), detail=exc)
    if isinstance(exc, MemoryError):
        return 413, "upload-too-costly", Said.of(N_("upload_too_costly"))
    return None


def _limit_memory(memory_mb: int) -> None:
    """Cap the worker's address space at what it has now plus ``memory_mb``."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    now = pages * resource.getpagesize()
    cap = now + memory_mb * 1024**2
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _worker(out: Connection, task: Callable[..., Any], args: tuple[Any, ...],
            memory_mb: int) -> None:
    _limit_memory(memory_mb)
    try:
        answer: tuple[str, Any] = ("ok", task(*args))
    except BaseException as exc:  # every outcome goes back as data; the process ends anyway
        refused = _refusal_of(exc)
        if refused is None:
            log.exception("an isolated task failed")
            refused = 422, "unreadable", Said.of(N_("upload_worker_failed"))
        answer = ("refused", refused)
    try:
        out.send(answer)
    except MemoryError:
        out.send(("refused", (413, "upload-too-costly", Said.of(N_("upload_too_costly")))))
    out.close()


_SLOTS_LOCK = threading.Lock()
_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def _slots(workers: int) -> threading.BoundedSemaphore:
    """The semaphore letting at most ``workers`` isolated tasks run at once in this process."""
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(workers, threading.BoundedSemaphore(workers))


def run_isolated(task: Callable[..., T], *args: Any, limits: WorkerLimits) -> T:
    """``task(*args)`` run in a worker process within ``limits``; blocks the calling thread
    (call it from a thread, never on the event loop).

    Raises
    ------
    Refusal
        The task refused its input (its own status and message), outlived its time (422
        ``upload-timeout``), ran out of memory or died (413 ``upload-too-costly``), or no
        worker was free in time (503 with ``Retry-After``).
    """
    slots = _slots(limits.workers)
    if not slots.acquire(timeout=limits.seconds):
        raise Refusal(503, "workers-busy", Said.of(N_("upload_workers_busy")),
                      headers={"Retry-After": str(max(1, round(limits.seconds)))})
    try:
        return _run(task, args, limits)
    finally:
        slots.release()


def _run(task: Callable[..., T], args: tuple[Any, ...], limits: WorkerLimits) -> T:
    receive, send = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_worker, args=(send, task, args, limits.memory_mb),
                               daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(limits.seconds):
            raise Refusal(422, "upload-timeout",
                          Said.of(N_("upload_timeout"), seconds=limits.seconds))
        try:
            kind, value = receive.recv()
        except (EOFError, OSError) as exc:  # the worker died: killed by its memory limit
            raise Refusal(413, "upload-too-costly", Said.of(N_("upload_too_costly"))) from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
        receive.close()
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    status, code, said = value
    raise Refusal(status, code, said)


def clear_scratch(root: Path) -> None:
    """Remove scratch folders left in ``root`` by workers of a server that was killed."""
    for old in root.glob(f"{_SCRATCH_PREFIX}*"):
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def scratch_dir(root: Path) -> Iterator[Path]:
    """A new empty folder under ``root`` for one task's files, removed afterwards whatever
    happened to the task."""
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=_SCRATCH_PREFIX, dir=root)).resolve()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def start_workers() -> None:
    """Start the fork server now, in the background, so the first upload does not wait for
    it to import the readers."""
    threading.Thread(target=lambda: _run(int, ("0",), WorkerLimits(seconds=120)),
                     name="sijie-fork-server", daemon=True).start()
