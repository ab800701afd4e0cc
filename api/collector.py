"""Python's cyclic garbage collector as a sijie process runs it.

A command builds most of its objects once (the modules it imports, a town's geometries) and
keeps them until it exits; with Python's default thresholds the collector walks all of them
again every few hundred allocations, a sixth of the time of validating one proposal.
:func:`for_one_run` collects after :data:`THRESHOLD` new objects instead, which still frees
reference cycles, and :func:`leave_for_exit` keeps what a finished command made out of the
collection the interpreter makes as it shuts down. ``sijie serve``, which runs for days, puts
Python's own thresholds back (:func:`restore`).
"""

from __future__ import annotations

import gc

__all__ = ["THRESHOLD", "for_one_run", "leave_for_exit", "restore"]

#: new objects between two collections of the youngest generation, and how many of those
#: collections make one of the next generation (each)
THRESHOLD = (100_000, 20, 20)
# the interpreter's own thresholds, as they were when sijie started
_DEFAULT = gc.get_threshold()


def for_one_run() -> None:
    """Collect as suits a process that runs one command and exits."""
    gc.set_threshold(*THRESHOLD)


def leave_for_exit() -> None:
    """Leave every object alive now out of later collections, the last one at exit included
    (a tenth of a second after a validation)."""
    gc.freeze()


def restore() -> None:
    """Python's own collection thresholds, for a process that serves for a long time."""
    gc.set_threshold(*_DEFAULT)
