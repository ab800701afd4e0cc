"""Untrusted work runs in a worker process that is stopped at its time and memory limits, and
its scratch folder goes whatever happens."""

from __future__ import annotations

import os
import time

import pytest

from api.isolation import Refusal, WorkerLimits, clear_scratch, run_isolated, scratch_dir

_QUICK = WorkerLimits(seconds=2, memory_mb=256, workers=2)


def test_a_task_answers_from_another_process():
    assert run_isolated(os.getpid, limits=_QUICK) != os.getpid()


def test_a_task_outliving_its_time_is_killed_and_refused_with_422():
    start = time.perf_counter()
    with pytest.raises(Refusal) as refused:
        run_isolated(time.sleep, 60, limits=_QUICK)
    assert (refused.value.status, refused.value.code) == (422, "upload-timeout")
    assert time.perf_counter() - start < 4


def test_a_task_taking_more_memory_than_allowed_is_refused_with_413():
    with pytest.raises(Refusal) as refused:
        run_isolated(bytearray, 2 * 1024**3, limits=_QUICK)
    assert (refused.value.status, refused.value.code) == (413, "upload-too-costly")


def test_a_refusal_is_said_in_both_languages():
    with pytest.raises(Refusal) as refused:
        run_isolated(time.sleep, 60, limits=WorkerLimits(seconds=0.5))
    from geo.i18n import Lang

    assert "0.5" in refused.value.detail(Lang.en) and "0.5" in refused.value.detail(Lang.zh)
    assert refused.value.detail(Lang.en) != refused.value.detail(Lang.zh)


def test_the_scratch_folder_is_removed_after_a_killed_task(tmp_path):
    with pytest.raises(Refusal), scratch_dir(tmp_path) as folder:
        (folder / "upload.gpkg").write_bytes(b"x")
        run_isolated(time.sleep, 60, limits=WorkerLimits(seconds=0.5))
    assert list(tmp_path.iterdir()) == []


def test_folders_left_by_a_killed_server_are_cleared_at_start(tmp_path):
    (tmp_path / "sijie-upload-abc").mkdir()
    (tmp_path / "sijie-upload-abc" / "x.gpkg").write_bytes(b"x")
    (tmp_path / "photos").mkdir()
    clear_scratch(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["photos"]
