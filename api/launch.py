"""The ``sijie`` executable: the command line (:mod:`api.cli`), started with the cyclic garbage
collector set for a command that runs once and exits.

A command builds most of its objects once (the modules it imports, a town's geometries) and
keeps them until it exits; with Python's default thresholds the collector walks all of them
again every few thousand allocations, a sixth of the time of validating one proposal. Collecting
after :data:`THRESHOLD` new objects instead still frees reference cycles, and the objects alive
when the command is done are left out of the collection the interpreter makes as it shuts down.
``sijie serve``, which runs for days, puts the defaults back (:func:`restore_collector`).
"""

from __future__ import annotations

import gc

__all__ = ["THRESHOLD", "main", "restore_collector"]

#: new objects between two collections of the youngest generation, and how many of those
#: collections make one of the next generation (each)
THRESHOLD = (100_000, 20, 20)
_DEFAULT = gc.get_threshold()


def main() -> None:
    """Run the command line the shell asked for."""
    gc.set_threshold(*THRESHOLD)
    from api.cli import app

    try:
        app()
    finally:
        # the process ends here: its last collection, as the interpreter shuts down, need not
        # walk every object the command made (a tenth of a second after a validation)
        gc.freeze()


def restore_collector() -> None:
    """Python's own collection thresholds, for a process that serves for a long time."""
    gc.set_threshold(*_DEFAULT)
