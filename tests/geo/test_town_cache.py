"""Prepared towns kept on disk (geo.prepared.cache): made once per content of the context
file, loaded after, made again when the file changes or the kept file is damaged, and the
answers the same with or without it."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pyogrio
import pytest

import geo.prepared.cache as town_cache
from geo.io import read_layer
from geo.prepared.cache import cache_dir, read_prepared_context
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import validate

PROPOSALS = ("good_industrial", "flaw_b3_offroad_edge", "flaw_b5_gap", "flaw_b6_cut_parcel")


@pytest.fixture(scope="module")
def reports(demo_dir: Path) -> dict[str, dict]:
    """The demo proposals' reports against the context read without any cache."""
    ctx = read_prepared_context(demo_dir / "context.gpkg", Rules(), cache=None)
    return {name: validate(_proposal(demo_dir, name), ctx).to_dict() for name in PROPOSALS}


def _proposal(demo_dir: Path, name: str):
    return proposal_from_frame(read_layer(demo_dir / "proposals" / f"{name}.gpkg"))


@pytest.fixture
def preparing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The contexts prepared from their file (not loaded from the cache) while a test runs."""
    made: list[str] = []
    real = town_cache.prepare_town

    def counted(ctx):
        made.append(ctx.source)
        return real(ctx)

    monkeypatch.setattr(town_cache, "prepare_town", counted)
    return made


@pytest.fixture
def town(demo_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "context.gpkg"
    shutil.copyfile(demo_dir / "context.gpkg", copy)
    return copy


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.town"))


def test_a_second_read_loads_the_prepared_town_and_answers_the_same(
        town, tmp_path, demo_dir, reports, preparing):
    cache = tmp_path / "cache"
    first = read_prepared_context(town, Rules(), cache=cache)
    (kept,) = _kept(cache)
    stamp = kept.stat().st_mtime_ns
    second = read_prepared_context(town, Rules(), cache=cache)
    assert preparing == [str(town)]  # made once, loaded the second time
    assert kept.stat().st_mtime_ns == stamp and _kept(cache) == [kept]
    assert second is not first
    for ctx in (first, second):
        for name in PROPOSALS:
            assert validate(_proposal(demo_dir, name), ctx).to_dict() == reports[name]


def test_a_changed_context_file_is_prepared_again_and_its_old_town_removed(
        town, tmp_path, demo_dir, preparing):
    cache = tmp_path / "cache"
    read_prepared_context(town, Rules(), cache=cache)
    (old,) = _kept(cache)
    villages = read_layer(town, layer="neighbours")  # a village renamed in the bureau's file
    villages.loc[villages["name"] == "勤勇社区", "name"] = "新名村"
    pyogrio.write_dataframe(villages, town, layer="neighbours")
    ctx = read_prepared_context(town, Rules(), cache=cache)
    assert len(preparing) == 2
    assert "新名村" in set(ctx.require("neighbours")["name"])
    assert old not in _kept(cache) and len(_kept(cache)) == 1
    report = validate(_proposal(demo_dir, "good_industrial"), ctx)
    assert "新名村" in {n.name for n in report.neighbours}


def test_other_rules_are_another_prepared_town(town, tmp_path, preparing):
    cache = tmp_path / "cache"
    read_prepared_context(town, Rules(), cache=cache)
    rules = Rules()
    wider = rules.model_copy(update={"boundary": rules.boundary.model_copy(
        update={"road_tolerance_margin_m": 12.0})})
    ctx = read_prepared_context(town, wider, cache=cache)
    assert len(preparing) == 2 and ctx.rules.boundary.road_tolerance_margin_m == 12.0


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "not a town"])
def test_a_damaged_cache_file_is_made_again_never_used(
        town, tmp_path, demo_dir, reports, preparing, damage):
    cache = tmp_path / "cache"
    read_prepared_context(town, Rules(), cache=cache)
    (kept,) = _kept(cache)
    data = bytearray(kept.read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncated":
        data = data[: len(data) // 3]
    else:
        data = bytearray(b"PK\x03\x04 a zip file, not a prepared town")
    kept.write_bytes(bytes(data))
    ctx = read_prepared_context(town, Rules(), cache=cache)
    assert len(preparing) == 2
    assert validate(_proposal(demo_dir, "flaw_b5_gap"), ctx).to_dict() == reports["flaw_b5_gap"]
    read_prepared_context(town, Rules(), cache=cache)
    assert len(preparing) == 2  # the file made again is whole


def test_concurrent_writers_leave_one_whole_file(town, tmp_path, demo_dir, reports):
    cache = tmp_path / "cache"
    errors: list[BaseException] = []

    def read() -> None:
        try:
            ctx = read_prepared_context(town, Rules(), cache=cache)
            assert validate(_proposal(demo_dir, "flaw_b3_offroad_edge"), ctx).to_dict() \
                == reports["flaw_b3_offroad_edge"]
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(_kept(cache)) == 1 and not list(cache.glob(".writing-*"))


def test_the_cache_folder_comes_from_the_environment(tmp_path):
    assert cache_dir({"SIJIE_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert cache_dir({"SIJIE_CACHE_DIR": "off"}) is None
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "sijie" / "towns"


def test_an_unwritable_cache_folder_still_gives_the_answer(town, tmp_path, demo_dir, reports):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    ctx = read_prepared_context(town, Rules(), cache=blocked / "cache")
    assert validate(_proposal(demo_dir, "good_industrial"), ctx).to_dict() \
        == reports["good_industrial"]


def test_edited_code_prepares_towns_again(tmp_path: Path) -> None:
    """A kept town names the code that prepared it: an edited module, a new one, or a module
    touched changes the name; the same files give the same name."""
    module = tmp_path / "rules" / "zones.py"
    module.parent.mkdir()
    module.write_text("WIDTH = 5\n", encoding="utf-8")
    first = town_cache.code_hash(tmp_path)
    assert town_cache.code_hash(tmp_path) == first
    stat = module.stat()
    module.write_text("WIDTH = 6\n", encoding="utf-8")  # same size, edited
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    edited = town_cache.code_hash(tmp_path)
    assert edited != first
    (tmp_path / "extra.py").write_text("", encoding="utf-8")
    assert town_cache.code_hash(tmp_path) not in (first, edited)
