"""The ``sijie`` executable: the command line (:mod:`api.cli`), its garbage collector set for a
process that runs one command and exits (:mod:`api.collector`)."""

from __future__ import annotations

from api import collector

__all__ = ["main"]


def main() -> None:
    """Run the command line the shell asked for."""
    collector.for_one_run()
    from api.cli import app

    try:
        app()
    finally:
        collector.leave_for_exit()
