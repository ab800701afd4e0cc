"""CQL2 filters (OGC API Features Part 3): the text and JSON encodings parsed with pygeofilter
and translated into a SQLAlchemy condition over a collection's queryables.

Every literal of a filter becomes a bound parameter and every property name must be one of
the collection's queryables, each mapped to its own column expression: nothing the client
writes is ever pasted into SQL. Served: Basic CQL2 (comparisons, ``AND``/``OR``/``NOT``,
``IS NULL``), the advanced comparison operators (``LIKE``, ``BETWEEN``, ``IN``), ``CASEI``,
property-to-property comparisons, and the spatial functions ``S_INTERSECTS``, ``S_DISJOINT``,
``S_CONTAINS``, ``S_WITHIN``, ``S_TOUCHES``, ``S_CROSSES``, ``S_OVERLAPS`` and ``S_EQUALS``
with point, line, polygon, multi-geometry and ``BBOX`` literals in ``filter-crs``.

The text encoding is read with pygeofilter's own grammar but for one terminal: a string
literal escapes a quote by doubling it (CQL2's ``characterLiteral``: ``'O''Brien'``), which
pygeofilter 0.4's grammar does not allow (see :func:`_text_parser`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from geoalchemy2 import WKTElement
from lark import Lark, Token
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parser as cql2_text
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, false, func, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement

from api.crs import CRS84, to_storage
from api.db.models import STORAGE_SRID
from api.problems import Problem

__all__ = ["FILTER_LANGS", "Queryable", "parse_filter", "to_condition"]

FILTER_LANGS = ("cql2-text", "cql2-json")
_NUMBERS = ("number", "integer")
_SPATIAL = {
    ast.GeometryIntersects: "ST_Intersects",
    ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryContains: "ST_Contains",
    ast.GeometryWithin: "ST_Within",
    ast.GeometryTouches: "ST_Touches",
    ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps",
    ast.GeometryEquals: "ST_Equals",
}


@dataclass(frozen=True)
class Queryable:
    """A property a filter, ``sortby`` or ``properties`` may name: its JSON Schema kind
    (``string``, ``number``, ``integer``, ``boolean``, ``date-time`` or ``geometry``), the
    SQL expression that reads it, and for the geometry its bounding-box columns."""

    name: str
    kind: str
    column: Any
    bounds: tuple[Any, Any, Any, Any] | None = None


def _bbox_as_geometry(node: Any) -> Any:
    """The JSON encoding with every ``{"bbox": [...]}`` written as a GeoJSON polygon (the
    parser's own reading of bbox mixes up its corners) and ``between`` in the form it reads."""
    if isinstance(node, list):
        return [_bbox_as_geometry(n) for n in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"bbox"} and isinstance(node["bbox"], list):
        box = node["bbox"]
        if len(box) not in (4, 6) or not all(isinstance(v, (int, float)) for v in box):
            raise ValueError("bbox needs 4 or 6 numbers")
        x0, y0, x1, y1 = (box[0], box[1], box[2], box[3]) if len(box) == 4 else (
            box[0], box[1], box[3], box[4])
        return {"type": "Polygon",
                "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}
    out = {k: _bbox_as_geometry(v) for k, v in node.items()}
    args = out.get("args")
    if str(out.get("op", "")).lower() == "between" and isinstance(args, list) and len(args) == 3:
        out["args"] = [args[0], [args[1], args[2]]]
    return out


# pygeofilter's string terminal (any characters up to the next quote) and CQL2's: a quote
# inside the literal is written twice
_PYGEOFILTER_STRING = 'SINGLE_QUOTED: "\'" /.*?/ "\'"'
_CQL2_STRING = "SINGLE_QUOTED: /'(?:[^']|'')*'/"


class _TextTransformer(cql2_text.CQLTransformer):  # type: ignore[misc]
    """pygeofilter's tree builder, with a string literal's doubled quotes read as one."""

    def SINGLE_QUOTED(self, token: Token) -> str:  # lark calls it by its terminal's name
        return str(token)[1:-1].replace("''", "'")


@functools.cache
def _text_parser() -> Lark:
    """pygeofilter's CQL2 text grammar and tree builder, with the string terminal as CQL2
    defines it. The grammar is pygeofilter's own file with that one line replaced; if a
    pygeofilter release changes the line, this fails at once rather than reading strings
    another way."""
    source = Path(cql2_text.__file__).with_name("grammar.lark")
    grammar = source.read_text(encoding="utf-8")
    if grammar.count(_PYGEOFILTER_STRING) != 1:
        raise RuntimeError(f"{source}: the string terminal is no longer {_PYGEOFILTER_STRING}")
    return Lark(grammar.replace(_PYGEOFILTER_STRING, _CQL2_STRING), source_path=str(source),
                import_paths=[str(source.parent.parent)], parser="lalr",
                maybe_placeholders=False, transformer=_TextTransformer())


def parse_text(text: str) -> Any:
    """The CQL2 text ``text`` as a pygeofilter tree (lark's errors raised as they come)."""
    return _text_parser().parse(text)


def parse_filter(text: str, lang: str | None) -> ast.Node:
    """The filter ``text`` in ``lang`` (``cql2-text`` by default) as a pygeofilter tree.

    Raises
    ------
    Problem
        400 ``filter_lang_unsupported`` or ``filter_invalid`` (with the parser's reason).
    """
    lang = lang or "cql2-text"
    if lang not in FILTER_LANGS:
        raise Problem(400, "filter_lang_unsupported", got=lang, allowed=", ".join(FILTER_LANGS))
    try:
        if lang == "cql2-json":
            node = parse_json(_bbox_as_geometry(json.loads(text)))
        else:
            node = parse_text(text)
    except Exception as exc:  # lark, json and the parser's own errors: all mean "not CQL2"
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise Problem(400, "filter_invalid", reason=reason) from None
    if not isinstance(node, ast.Node):
        raise Problem(400, "filter_invalid", reason=repr(node)[:200])
    return node


@dataclass(frozen=True)
class _Value:
    """An evaluated operand: a SQL expression and what kind of value it is."""

    sql: Any
    kind: str
    queryable: Queryable | None = None


def _literal_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (datetime, date)):
        return "date-time"
    raise Problem(400, "filter_invalid", reason=f"unsupported literal {value!r}"[:200])


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


def _same_kind(a: str, b: str) -> bool:
    return a == b or (a in _NUMBERS and b in _NUMBERS)


class _ToSql(Evaluator):
    """Evaluates a pygeofilter tree bottom-up into SQLAlchemy expressions."""

    def __init__(self, queryables: Mapping[str, Queryable], to_lonlat: Callable[
            [BaseGeometry], BaseGeometry]) -> None:
        self.queryables = queryables
        self.to_lonlat = to_lonlat

    def _operand(self, value: Any) -> _Value:
        if isinstance(value, _Value):
            return value
        if isinstance(value, (datetime, date)) and not isinstance(value, bool):
            return _Value(_moment(value), "date-time")
        return _Value(value, _literal_kind(value))

    def _pair(self, lhs: Any, rhs: Any) -> tuple[Any, Any]:
        a, b = self._operand(lhs), self._operand(rhs)
        if "geometry" in (a.kind, b.kind) or not _same_kind(a.kind, b.kind):
            named = a.queryable or b.queryable
            name = named.name if named is not None else "?"
            raise Problem(400, "filter_type", property=name, left=a.kind, right=b.kind)
        if a.queryable is None and b.queryable is None:
            raise Problem(400, "filter_invalid", reason="a comparison needs a property")
        return a.sql, b.sql

    @handle(ast.Attribute)
    def attribute(self, node: ast.Attribute) -> _Value:
        queryable = self.queryables.get(node.name)
        if queryable is None:
            raise Problem(400, "filter_property_unknown", name=str(node.name)[:100],
                          allowed=", ".join(self.queryables))
        return _Value(queryable.column, queryable.kind, queryable)

    @handle(ast.Function)
    def function(self, node: ast.Function, *args: Any) -> _Value:
        if node.name.lower() != "lower" or len(args) != 1:  # CASEI(...) arrives as lower
            raise Problem(400, "filter_function_unknown", name=str(node.name)[:50])
        value = self._operand(args[0])
        if value.kind != "string":
            raise Problem(400, "filter_type", property="CASEI", left=value.kind, right="string")
        return _Value(func.lower(value.sql), "string", value.queryable)

    @handle(ast.Not)
    def not_(self, node: ast.Not, sub: Any) -> Any:
        return not_(sub)

    @handle(ast.And)
    def and_(self, node: ast.And, lhs: Any, rhs: Any) -> Any:
        return and_(lhs, rhs)

    @handle(ast.Or)
    def or_(self, node: ast.Or, lhs: Any, rhs: Any) -> Any:
        return or_(lhs, rhs)

    @handle(ast.Include)
    def include(self, node: ast.Include) -> Any:
        return false() if node.not_ else true()

    @handle(ast.Equal)
    def equal(self, node: ast.Node, lhs: Any, rhs: Any) -> Any:
        a, b = self._pair(lhs, rhs)
        return a == b

    @handle(ast.NotEqual)
    def not_equal(self, node: ast.Node, lhs: Any, rhs: Any) -> Any:
        a, b = self._pair(lhs, rhs)
        return a != b

    @handle(ast.LessThan)
    def less(self, node: ast.Node, lhs: Any, rhs: Any) -> Any:
        a, b = self._pair(lhs, rhs)
        return a < b

    @handle(ast.LessEqual)
    def less_equal(self, node: ast.Node, lhs: Any, rhs: Any) -> Any:
        a, b = self._pair(lhs, rhs)
        return a <= b

    @handle(ast.GreaterThan)
    def greater(self, node: ast.Node, lhs: Any, rhs: Any) -> Any:
        a, b = self._pair(lhs, rhs)
        return a > b

    @handle(ast.GreaterEqual)
    def greater_equal(self, node: ast.Node, lhs: Any, rhs: Any) -> Any:
        a, b = self._pair(lhs, rhs)
        return a >= b

    @handle(ast.Between)
    def between(self, node: ast.Between, lhs: Any, low: Any, high: Any) -> Any:
        a, lo = self._pair(lhs, low)
        _, hi = self._pair(lhs, high)
        condition = a.between(lo, hi)
        return not_(condition) if node.not_ else condition

    @handle(ast.Like)
    def like(self, node: ast.Like, lhs: Any) -> Any:
        a, pattern = self._pair(lhs, node.pattern)
        if node.nocase:
            a, pattern = func.lower(a), func.lower(pattern)
        condition = a.like(pattern, escape="\\")
        return not_(condition) if node.not_ else condition

    @handle(ast.In)
    def in_(self, node: ast.In, lhs: Any, *options: Any) -> Any:
        if not options:
            raise Problem(400, "filter_invalid", reason="IN needs at least one value")
        a = self._operand(lhs)
        items = [self._pair(a, o)[1] for o in options]
        condition = a.sql.in_(items)
        return not_(condition) if node.not_ else condition

    @handle(ast.IsNull)
    def is_null(self, node: ast.IsNull, lhs: Any) -> Any:
        a = self._operand(lhs)
        if a.queryable is None:
            raise Problem(400, "filter_invalid", reason="IS NULL needs a property")
        return a.sql.is_not(None) if node.not_ else a.sql.is_(None)

    @handle(values.Geometry)
    def geometry(self, node: values.Geometry) -> _Value:
        try:
            geom = shape(node.geometry)
        except Exception as exc:  # shapely raises several types for malformed geometries
            raise Problem(400, "filter_invalid", reason=str(exc)[:200]) from None
        return self._shape(geom)

    @handle(values.Envelope)
    def envelope(self, node: values.Envelope) -> _Value:
        return self._shape(shapely.box(node.x1, node.y1, node.x2, node.y2))

    def _shape(self, geom: BaseGeometry) -> _Value:
        coords = shapely.get_coordinates(geom)
        if geom.is_empty or not len(coords) or not np.isfinite(coords).all():
            raise Problem(400, "filter_invalid", reason="empty or non-finite geometry")
        return _Value(self.to_lonlat(geom), "geometry")

    @handle(*_SPATIAL)
    def spatial(self, node: ast.SpatialComparisonPredicate, lhs: Any, rhs: Any) -> Any:
        a, b = self._operand(lhs), self._operand(rhs)
        if a.kind != "geometry" or b.kind != "geometry":
            raise Problem(400, "filter_type", property=node.op.value, left=a.kind, right=b.kind)
        sides = [self._spatial_sql(v) for v in (a, b)]
        condition = getattr(func, _SPATIAL[type(node)])(*sides).is_(true())
        if type(node) is ast.GeometryDisjoint:
            return condition
        prefilter = self._bbox_prefilter(a, b)
        return condition if prefilter is None else and_(prefilter, condition)

    def _spatial_sql(self, value: _Value) -> Any:
        if value.queryable is not None:
            return value.sql
        return WKTElement(shapely.to_wkt(value.sql, rounding_precision=-1), srid=STORAGE_SRID)

    @staticmethod
    def _bbox_prefilter(a: _Value, b: _Value) -> Any:
        """Every predicate but disjoint needs the boxes to meet: an indexed comparison first."""
        column, literal = (a, b) if a.queryable is not None else (b, a)
        if column.queryable is None or column.queryable.bounds is None or literal.queryable:
            return None
        minx, miny, maxx, maxy = column.queryable.bounds
        x0, y0, x1, y1 = literal.sql.bounds
        return and_(maxx >= x0, minx <= x1, maxy >= y0, miny <= y1)

    def adopt(self, node: Any, *sub_args: Any) -> Any:
        if isinstance(node, (str, int, float, bool, datetime, date)):
            return node
        if isinstance(node, list):
            return node
        name = type(node).__name__
        op = getattr(getattr(node, "op", None), "value", None) or getattr(node, "name", None)
        raise Problem(400, "filter_operator_unsupported", operator=str(op or name)[:50])


def _bbox_function(node: Any) -> Any:
    """The text encoding's ``BBOX(x0, y0, x1, y1)`` as a polygon literal (the parser leaves it
    a function)."""
    if isinstance(node, ast.Function) and node.name.lower() == "bbox":
        box = node.arguments
        if len(box) not in (4, 6) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in box):
            raise Problem(400, "filter_invalid", reason="BBOX needs 4 or 6 numbers")
        x0, y0, x1, y1 = (box[0], box[1], box[2], box[3]) if len(box) == 4 else (
            box[0], box[1], box[3], box[4])
        return values.Geometry(shapely.geometry.mapping(shapely.box(x0, y0, x1, y1)))
    if isinstance(node, ast.Node):
        for key, value in vars(node).items():
            if isinstance(value, list):
                setattr(node, key, [_bbox_function(v) for v in value])
            elif isinstance(value, (ast.Node, ast.Function)):
                setattr(node, key, _bbox_function(value))
    return node


def to_condition(node: ast.Node, queryables: Mapping[str, Queryable], *,
                 crs: str = CRS84) -> ColumnElement[bool]:
    """The SQL condition of a parsed filter; geometry literals are in ``crs``.

    Raises
    ------
    Problem
        400 naming the unknown property, the unsupported operator or function, or the
        property whose type the literal does not fit.
    """

    def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
        if crs != CRS84:
            geom = shapely.segmentize(geom, max(_extent(geom) / 20, 1e-9))
        return to_storage(geom, crs)

    condition = _ToSql(queryables, to_lonlat).evaluate(_bbox_function(node))
    if isinstance(condition, _Value) or not isinstance(condition, ColumnElement):
        raise Problem(400, "filter_invalid", reason="the filter is not a condition")
    return condition


def _extent(geom: BaseGeometry) -> float:
    x0, y0, x1, y1 = geom.bounds
    return float(max(x1 - x0, y1 - y0))
