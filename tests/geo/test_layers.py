"""A context packed in a pickle (geo.layers, kept squares): every frame, geometry and column
comes back as it was, and judging a proposal against a loaded town reads no frame (pandas
stays unloaded)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo.context import LAYER_COLUMNS, Context, build_context
from geo.layers import Layers
from geo.prepared import prepare_town
from geo.prepared.cache import read_prepared_context
from geo.rules import Rules


@pytest.fixture(scope="module")
def town(context) -> Context:
    return build_context(context, Rules(), source="demo")


@pytest.fixture(scope="module")
def loaded(town: Context) -> Context:
    return pickle.loads(pickle.dumps(town))


def test_every_layer_comes_back_as_the_frame_it_was(town: Context, loaded: Context) -> None:
    for name in LAYER_COLUMNS:
        before, after = town.layer(name), loaded.layer(name)
        if before is None:
            assert after is None
            continue
        assert_geodataframe_equal(after, before, check_dtype=True, check_crs=True)
        assert after.index.equals(pd.RangeIndex(len(before)))
        assert after.attrs == before.attrs


def test_geometries_and_columns_come_back_without_making_frames(town: Context) -> None:
    loaded: Context = pickle.loads(pickle.dumps(town))
    for name in LAYER_COLUMNS:
        if not town.has_layer(name):
            assert not loaded.has_layer(name)
            continue
        assert loaded.column_names(name) == town.column_names(name)
        shapes = loaded.shapes(name)
        assert shapely.equals_exact(shapes, town.shapes(name), tolerance=0).all()
        for column in LAYER_COLUMNS[name]:
            pd.testing.assert_series_equal(pd.Series(loaded.column(name, column)),
                                           pd.Series(town.column(name, column)))
    layers = loaded.layers
    assert isinstance(layers, Layers)
    assert not layers._frames, "a frame was made to read geometries or columns"
    # the frame made afterwards stands on the same geometries
    assert loaded.layer("parcels").geometry.values[0] is loaded.shapes("parcels")[0]


def test_a_layer_the_town_lacks_is_absent_packed_or_not() -> None:
    frames = {"roads": None}
    assert not Layers(frames).present("roads")
    assert not pickle.loads(pickle.dumps(Layers(frames))).present("roads")
    assert "water" not in Layers(frames)


def test_replacing_a_layer_keeps_the_others_packed(loaded: Context, town: Context) -> None:
    layers = pickle.loads(pickle.dumps(town.layers))
    neighbours = town.require("neighbours").iloc[:3]
    replaced = layers.replaced("neighbours", neighbours)
    assert replaced["neighbours"] is neighbours
    assert replaced.present("parcels") and not replaced._frames.get("parcels")
    assert set(replaced) == set(layers)


def test_judging_a_loaded_town_never_loads_pandas(demo_dir: Path, tmp_path: Path) -> None:
    """The checks read geometries and columns only: a prepared town loaded from the cache
    answers them with NumPy and Shapely alone."""
    read_prepared_context(demo_dir / "context.gpkg", Rules(), cache=tmp_path)
    context, cache = str(demo_dir / "context.gpkg"), str(tmp_path)
    script = f"""
import sys
from pathlib import Path
from geo.prepared.cache import read_prepared_context
from geo.rules import Rules
ctx = read_prepared_context({context!r}, Rules(), cache=Path({cache!r}))
ctx.town, ctx.road_zones(), ctx.has_verified
for name in ("parcels", "buildings", "landuse", "neighbours"):
    ctx.query(name, ctx.town.centroid.buffer(500))
    ctx.column(name, ctx.column_names(name)[0])
loaded = sorted(m for m in ("pandas", "geopandas", "pyogrio") if m in sys.modules)
print(",".join(loaded))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "", done.stdout


def test_a_prepared_town_is_judged_as_the_town_it_was(town: Context) -> None:
    prepared = prepare_town(pickle.loads(pickle.dumps(town)))
    np.testing.assert_array_equal(shapely.area(prepared.road_zones()),
                                  shapely.area(town.road_zones()))
    assert prepared.has_verified == town.has_verified
    assert shapely.equals_exact(prepared.town, town.town, tolerance=0)


def test_kept_squares_are_read_back_only_when_a_proposal_uses_them(town: Context) -> None:
    prepared = prepare_town(build_context({name: town.layer(name) for name in LAYER_COLUMNS},
                                          Rules(), source="demo"))
    squares = {key: value for key, value in prepared._cache.items()
               if key.startswith("followed_tile:")}
    assert squares
    loaded = pickle.loads(pickle.dumps(prepared))
    key, before = next(iter(squares.items()))
    assert not any(isinstance(loaded._cache[k], shapely.Geometry) for k in squares)
    after = loaded.cached(key, lambda: pytest.fail("a kept square was made again"))
    assert shapely.equals_exact(after, before, tolerance=0)
    assert shapely.is_prepared(after)
    assert loaded.cached(key, lambda: None) is after


PREDICATES = ("intersects", "within", "contains", "overlaps", "crosses", "touches", "covers",
              "covered_by", "contains_properly")


def _probes(ctx: Context) -> list[shapely.Geometry]:
    """Areas, a line and a point across the demo town, and a polygon of a parcel itself."""
    centre = ctx.town.centroid
    parcel = ctx.shapes("parcels")[7]
    return [centre.buffer(300), centre.buffer(1500), shapely.boundary(centre.buffer(800)),
            centre, parcel, parcel.buffer(-1), shapely.Polygon()]


def test_a_loaded_town_finds_by_bounds_what_its_index_finds(
        town: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geo.context.SCANS_BEFORE_TREE", 10**6)  # every query by bounds
    loaded: Context = pickle.loads(pickle.dumps(town))
    for name in ("parcels", "buildings", "landuse", "neighbours"):
        for geom in _probes(town):
            for predicate in PREDICATES:
                expected = town.query(name, geom, predicate)
                found = loaded.query(name, geom, predicate)
                np.testing.assert_array_equal(found, expected, err_msg=f"{name} {predicate}")
    assert not loaded.has("tree:parcels"), "the bounds answered, not an index"


def test_judging_a_proposal_reads_only_the_features_near_it(town: Context,
                                                            demo_dir: Path) -> None:
    from geo.io import read_layer
    from geo.proposal import proposal_from_frame
    from geo.validate import validate

    loaded: Context = pickle.loads(pickle.dumps(town))
    proposal = proposal_from_frame(read_layer(demo_dir / "proposals" / "good_industrial.gpkg"))
    assert validate(proposal, loaded).to_dict() == validate(proposal, town).to_dict()
    _, read = loaded.layers._some["buildings"]
    assert 0 < read.sum() < len(read) / 2
    some = loaded.layers._some["buildings"][0]
    first = int(np.flatnonzero(read)[0])
    assert loaded.shapes("buildings")[first] is some[first]  # one object for one feature


def test_a_town_queried_often_builds_its_index(town: Context) -> None:
    from geo.context import SCANS_BEFORE_TREE

    loaded: Context = pickle.loads(pickle.dumps(town))
    probe = town.town.centroid.buffer(400)
    answers = [loaded.query("parcels", probe) for _ in range(SCANS_BEFORE_TREE + 1)]
    assert loaded.has("tree:parcels")
    for answer in answers:
        np.testing.assert_array_equal(answer, town.query("parcels", probe))
