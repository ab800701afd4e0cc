"""The ``sijie`` executable (api.launch, api.collector): a command runs with the collector set
for a process that runs once, and the service goes back to Python's own thresholds."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

import api.cli
from api import collector, launch


@pytest.fixture
def thresholds():
    """The test process's collector as it was, whatever the launcher set."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_a_command_runs_with_fewer_collections(monkeypatch: pytest.MonkeyPatch,
                                               thresholds: None) -> None:
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(api.cli, "app", lambda: seen.append(gc.get_threshold()))
    launch.main()
    assert seen == [collector.THRESHOLD]
    assert collector.THRESHOLD[0] > 700  # Python's default: a collection every 700 objects


def test_what_a_command_made_is_left_out_of_the_last_collection(
        monkeypatch: pytest.MonkeyPatch, thresholds: None) -> None:
    def command() -> None:
        raise SystemExit(1)  # as every command ends

    monkeypatch.setattr(api.cli, "app", command)
    with pytest.raises(SystemExit):
        launch.main()
    assert gc.get_freeze_count() > 0


def test_the_service_collects_as_python_does(thresholds: None) -> None:
    default = gc.get_threshold()
    gc.set_threshold(*collector.THRESHOLD)
    collector.restore()
    assert gc.get_threshold() == default


def test_the_executable_is_the_launcher() -> None:
    sijie = Path(sys.executable).parent / "sijie"
    assert "api.launch" in sijie.read_text(encoding="utf-8")
    done = subprocess.run([str(sijie), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("sijie ")
