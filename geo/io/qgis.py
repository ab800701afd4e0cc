"""What QGIS reads from a GeoPackage beside the features: each layer's style and each field's
alias.

- The style goes to QGIS's own ``layer_styles`` table (its column layout, registered as an
  attribute table as QGIS does), as QML with the same colours and lines as sijie's maps
  (:mod:`geo.palette`) and an SLD for other readers; QGIS applies it when the layer is opened.
- Aliases go to ``gpkg_data_columns`` (the GeoPackage schema extension, registered in
  ``gpkg_extensions``), which GDAL reads as each field's alternative name; the QML carries them
  too. They come from the message catalogue (``field_<column>``), Chinese by default; a column
  the catalogue does not know keeps its own name.

The file is written with the standard library's SQLite after GDAL has closed it, never while
GDAL has it open.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from geo.i18n import N_, Lang, t
from geo.palette import Style

__all__ = ["FIELD_LABELS", "add_field_aliases", "add_qgis_tables", "field_alias", "geometry_kind",
           "layer_qml", "layer_sld", "write_field_aliases", "write_qgis_tables"]

#: the message of each field sijie writes, the field's alias
FIELD_LABELS: dict[str, str] = {
    "name": N_("field_name"), "type": N_("field_type"), "code": N_("field_code"),
    "kind": N_("field_kind"), "class": N_("field_class"), "area_m2": N_("field_area_m2"),
    "area_before_m2": N_("field_area_before_m2"), "area_after_m2": N_("field_area_after_m2"),
    "area_given_m2": N_("field_area_given_m2"), "valid": N_("field_valid"),
    "contiguous": N_("field_contiguous"), "employees": N_("field_employees"),
    "enterprises": N_("field_enterprises"), "units": N_("field_units"),
    "polsby_popper": N_("field_polsby_popper"), "capacity_use": N_("field_capacity_use"),
    "oversize": N_("field_oversize"), "grid_head": N_("field_grid_head"),
    "full_time_worker": N_("field_full_time_worker"),
    "part_time_worker": N_("field_part_time_worker"), "guide": N_("field_guide"),
    "others": N_("field_others"), "uscc": N_("field_uscc"), "industry": N_("field_industry"),
    "floors": N_("field_floors"), "floor_area_m2": N_("field_floor_area_m2"),
    "use": N_("field_use"), "occupancy": N_("field_occupancy"),
    "registration": N_("field_registration"), "tax_share": N_("field_tax_share"),
    "grid": N_("field_grid"), "rank": N_("field_rank"), "source": N_("field_source"),
    "landuse": N_("field_landuse"), "available_share": N_("field_available_share"),
    "inscribed_width_m": N_("field_inscribed_width_m"), "frontage_m": N_("field_frontage_m"),
    "frontage_road": N_("field_frontage_road"), "floor_needed_m2": N_("field_floor_needed_m2"),
    "floor_allowed_m2": N_("field_floor_allowed_m2"),
    "footprint_needed_m2": N_("field_footprint_needed_m2"),
    "footprint_allowed_m2": N_("field_footprint_allowed_m2"),
    "open_land_m2": N_("field_open_land_m2"), "failed": N_("field_failed"),
    "distance_m": N_("field_distance_m"), "distance_kind": N_("field_distance_kind"),
    "width_m": N_("field_width_m"), "valid_from": N_("field_valid_from"),
    "valid_to": N_("field_valid_to"), "custodial_parts": N_("field_custodial_parts"),
    "flaw": N_("field_flaw"), "ok": N_("field_ok"), "errors": N_("field_errors"),
    "overlaps": N_("field_overlaps"), "employees_verified": N_("field_employees_verified"),
    "class_index": N_("field_class_index"), "class_label": N_("field_class_label"),
    "a": N_("field_a"), "b": N_("field_b"), "rule": N_("field_rule"),
    "severity": N_("field_severity"), "message": N_("field_message"),
    "clause": N_("field_clause"), "basis": N_("field_basis"),
    "bureau_settings": N_("field_bureau_settings"), "measure": N_("field_measure"),
    "import_id": N_("field_import_id"), "period": N_("field_period"),
    "imported_at": N_("field_imported_at"),
    # the service's tables
    "proposal_id": N_("field_proposal_id"), "version": N_("field_version"),
    "custodial": N_("field_custodial_parts"), "input_crs": N_("field_input_crs"),
    "reason": N_("field_reason"), "author_id": N_("field_author_id"),
    "created_at": N_("field_created_at"), "created_by": N_("field_author_id"),
    "etag": N_("field_etag"), "minx": N_("field_minx"), "miny": N_("field_miny"),
    "maxx": N_("field_maxx"), "maxy": N_("field_maxy"), "town_id": N_("field_town_id"),
    "layer": N_("field_layer"), "fid": N_("field_fid"), "layer_fid": N_("field_fid"),
    "properties": N_("field_properties"),
    "version_from": N_("field_version_from"), "version_to": N_("field_version_to"),
    "run_id": N_("field_run_id"), "version_id": N_("field_version_id"),
    "grid_code": N_("field_grid"), "qualified": N_("field_qualified"),
    "department": N_("field_department"), "note": N_("field_note"),
    "photo_path": N_("field_photo_path"), "photo_type": N_("field_photo_type"),
    "state": N_("field_state"), "approved_version": N_("field_approved_version"),
    "work_crs": N_("field_work_crs"),
}
_RULE_COLUMN = re.compile(r"B\d+")  # an audit's count of findings of one rule

_STYLES_DDL = """CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY NOT NULL,
  f_table_catalog TEXT(256),
  f_table_schema TEXT(256),
  f_table_name TEXT(256),
  f_geometry_column TEXT(256),
  styleName TEXT(30),
  styleQML TEXT,
  styleSLD TEXT,
  useAsDefault BOOLEAN,
  description TEXT,
  owner TEXT(30),
  ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
_DATA_COLUMNS_DDL = """CREATE TABLE gpkg_data_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  name TEXT,
  title TEXT,
  description TEXT,
  mime_type TEXT,
  constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name))"""
_CONSTRAINTS_DDL = """CREATE TABLE gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL,
  constraint_type TEXT NOT NULL,
  value TEXT,
  min NUMERIC,
  min_is_inclusive BOOLEAN,
  max NUMERIC,
  max_is_inclusive BOOLEAN,
  description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"""
_EXTENSIONS_DDL = """CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"""
_SCHEMA_EXTENSION = "http://www.geopackage.org/spec120/#extension_schema"
_GEOMETRY_CODES = {"point": 0, "line": 1, "polygon": 2}


def field_alias(column: str, lang: Lang | str = Lang.zh) -> str:
    """The alias of ``column`` in ``lang``: its message, or the column's own name."""
    key = FIELD_LABELS.get(column)
    if key is None and _RULE_COLUMN.fullmatch(column):
        return t("field_rule_findings", lang, rule=column)
    return t(key, lang) if key is not None else column


def _rgba(colour: str, opacity: float = 1.0) -> str:
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(opacity * 255)}"


def _option(name: str, value: object) -> str:
    return f'<Option type="QString" name="{name}" value={quoteattr(str(value))}/>'


def _dash(style: Style, prefix: str) -> list[str]:
    dash = style.get("dashArray")
    if not dash:
        return [_option(f"{prefix}style", "solid")]
    return [_option(f"{prefix}style", "dash"), _option("use_custom_dash", 1),
            _option("customdash", ";".join(str(dash).split())),
            _option("customdash_unit", "Pixel")]


def _symbol_layer(style: Style, geometry: str) -> tuple[str, str, list[str]]:
    """(symbol type, symbol layer class, options) of ``style`` for ``geometry``."""
    stroke = _rgba(style.get("color", "#666666"), float(style.get("opacity", 1.0)))
    width = style.get("weight", 1)
    filled = style.get("fill", True) is not False and "fillColor" in style
    fill = _rgba(style.get("fillColor", "#ffffff"), float(style.get("fillOpacity", 0.2)))
    if geometry == "line":
        return "line", "SimpleLine", [_option("line_color", stroke), _option("line_width", width),
                                      _option("line_width_unit", "Pixel"),
                                      *_dash(style, "line_")]
    if geometry == "point":
        return "marker", "SimpleMarker", [_option("name", "circle"),
                                          _option("color", fill if filled else stroke),
                                          _option("outline_color", stroke), _option("size", 8),
                                          _option("size_unit", "Pixel")]
    return "fill", "SimpleFill", [_option("color", fill),
                                  _option("style", "solid" if filled else "no"),
                                  _option("outline_color", stroke),
                                  _option("outline_width", width),
                                  _option("outline_width_unit", "Pixel"),
                                  *_dash(style, "outline_")]


def _symbol(name: str, style: Style, geometry: str) -> str:
    kind, cls, options = _symbol_layer(style, geometry)
    return (f'   <symbol type="{kind}" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0" '
            'frame_rate="10" is_animated="0">\n'
            f'    <layer class="{cls}" enabled="1" locked="0" pass="0">\n'
            f'     <Option type="Map">{"".join(options)}</Option>\n'
            "    </layer>\n"
            "   </symbol>\n")


def _renderer(style: Style, geometry: str, lang: Lang | str) -> str:
    """A single-symbol renderer, or a categorised one for a style with ``classes`` (the
    classes in their order, anything else in the layer's own style)."""
    head = 'symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1"'
    if "classes" not in style:
        return (f' <renderer-v2 type="singleSymbol" {head}>\n  <symbols>\n'
                f'{_symbol("0", style, geometry)}  </symbols>\n')
    field, classes = style["classes"]
    base = {k: v for k, v in style.items() if k != "classes"}
    categories, symbols = [], []
    for i, (value, (differs, label)) in enumerate(classes.items()):
        categories.append(f"   <category value={quoteattr(value)} symbol=\"{i}\" "
                          f"label={quoteattr(t(label, lang))} render=\"true\" type=\"string\"/>\n")
        symbols.append(_symbol(str(i), {**base, **differs}, geometry))
    other = len(classes)
    categories.append(f'   <category value="" symbol="{other}" label="" render="true" '
                      'type="string"/>\n')
    symbols.append(_symbol(str(other), base, geometry))
    return (f' <renderer-v2 type="categorizedSymbol" attr={quoteattr(field)} {head}>\n'
            f'  <categories>\n{"".join(categories)}  </categories>\n'
            f'  <symbols>\n{"".join(symbols)}  </symbols>\n'
            f'  <source-symbol>\n{_symbol("0", base, geometry)}  </source-symbol>\n')


def layer_qml(style: Style, geometry: str, aliases: dict[str, str],
              lang: Lang | str = Lang.zh) -> str:
    """A QGIS layer style (QML) drawing ``geometry`` ("point", "line" or "polygon") with
    ``style`` (class by class if it has ``classes``, named in ``lang``), the fields named by
    ``aliases``."""
    fields = "".join(
        f'<field name={quoteattr(f)} configurationFlags="NoFlag"><editWidget type="TextEdit">'
        f"<config><Option/></config></editWidget></field>" for f in aliases)
    alias_items = "".join(f"<alias field={quoteattr(f)} index=\"{i}\" name={quoteattr(a)}/>"
                          for i, (f, a) in enumerate(aliases.items()))
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology|Fields">\n'
        f"{_renderer(style, geometry, lang)}"
        "  <rotation/>\n  <sizescale/>\n"
        " </renderer-v2>\n"
        f" <fieldConfiguration>{fields}</fieldConfiguration>\n"
        f" <aliases>{alias_items}</aliases>\n"
        f" <layerGeometryType>{_GEOMETRY_CODES[geometry]}</layerGeometryType>\n"
        "</qgis>\n"
    )


def layer_sld(layer: str, style: Style, geometry: str) -> str:
    """The same style as OGC Styled Layer Descriptor 1.1, for readers other than QGIS."""
    stroke = (f'<se:Stroke><se:SvgParameter name="stroke">{style.get("color", "#666666")}'
              f'</se:SvgParameter><se:SvgParameter name="stroke-width">{style.get("weight", 1)}'
              "</se:SvgParameter></se:Stroke>")
    fill = ""
    if style.get("fill", True) is not False and "fillColor" in style:
        fill = (f'<se:Fill><se:SvgParameter name="fill">{style["fillColor"]}</se:SvgParameter>'
                f'<se:SvgParameter name="fill-opacity">{style.get("fillOpacity", 0.2)}'
                "</se:SvgParameter></se:Fill>")
    symbolizer = {"line": f"<se:LineSymbolizer>{stroke}</se:LineSymbolizer>",
                  "point": "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle"
                           f"</se:WellKnownName>{fill}{stroke}</se:Mark></se:Graphic>"
                           "</se:PointSymbolizer>",
                  "polygon": f"<se:PolygonSymbolizer>{fill}{stroke}</se:PolygonSymbolizer>"}
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" '
        'xmlns:se="http://www.opengis.net/se" version="1.1.0">'
        f"<NamedLayer><se:Name>{layer}</se:Name><UserStyle><se:Name>{layer}</se:Name>"
        f"<se:FeatureTypeStyle><se:Rule>{symbolizer[geometry]}</se:Rule></se:FeatureTypeStyle>"
        "</UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


def _ensure_table(db: Any, name: str, ddl: str) -> None:
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is None:
        db.execute(ddl)


def _register_attributes(db: Any, table: str, timestamp: str) -> None:
    db.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
               "description, last_change) VALUES (?, 'attributes', ?, '', ?)",
               (table, table, timestamp))


def add_qgis_tables(path: Path, layer: str, *, geometry_column: str, geometry: str,
                    fields: list[str], style: Style, lang: Lang | str,
                    timestamp: str) -> None:
    """Give ``layer`` of the GeoPackage ``path`` its style (``layer_styles``, QML and SLD, the
    layer's default) and an alias for each of ``fields`` (``gpkg_data_columns``), replacing
    what an earlier write of the layer left; ``timestamp`` is the time the rows record."""
    db = sqlite3.connect(path)
    try:
        with db:
            write_qgis_tables(db, layer, geometry_column=geometry_column, geometry=geometry,
                              fields=fields, style=style, lang=lang, timestamp=timestamp)
    finally:
        db.close()


def write_qgis_tables(db: Any, layer: str, *, geometry_column: str, geometry: str,
                      fields: list[str], style: Style, lang: Lang | str,
                      timestamp: str) -> None:
    """:func:`add_qgis_tables` on an open SQLite connection ``db`` (any DB-API one, such as
    the service's own), in its current transaction."""
    aliases = _aliases(fields, lang)
    qml = layer_qml(style, geometry, aliases, lang)
    sld = layer_sld(layer, style, geometry)
    _ensure_table(db, "layer_styles", _STYLES_DDL)
    _register_attributes(db, "layer_styles", timestamp)
    db.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
    db.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
        "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, 'sijie', NULL, ?)",
        (layer, geometry_column, layer[:30], qml, sld, t("layer", lang) + f" {layer}",
         timestamp))
    _write_aliases(db, layer, aliases)


def _aliases(fields: list[str], lang: Lang | str) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for field in fields:  # one alias names one field of the layer
        alias = field_alias(field, lang)
        aliases[field] = alias if alias not in aliases.values() else f"{alias} ({field})"
    return aliases


def write_field_aliases(db: Any, table: str, fields: list[str],
                        lang: Lang | str = Lang.zh) -> None:
    """:func:`add_field_aliases` on an open SQLite connection ``db``, in its transaction."""
    _write_aliases(db, table, _aliases(fields, lang))


def _write_aliases(db: Any, table: str, aliases: dict[str, str]) -> None:
    _ensure_table(db, "gpkg_extensions", _EXTENSIONS_DDL)
    _ensure_table(db, "gpkg_data_columns", _DATA_COLUMNS_DDL)
    _ensure_table(db, "gpkg_data_column_constraints", _CONSTRAINTS_DDL)
    for schema_table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        db.execute(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
            "definition, scope) SELECT ?, NULL, 'gpkg_schema', ?, 'read-write' WHERE "
            "NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
            "extension_name = 'gpkg_schema')", (schema_table, _SCHEMA_EXTENSION, schema_table))
    db.execute("DELETE FROM gpkg_data_columns WHERE table_name = ?", (table,))
    db.executemany(
        "INSERT INTO gpkg_data_columns (table_name, column_name, name, title) "
        "VALUES (?, ?, ?, ?)", [(table, f, a, a) for f, a in aliases.items()])


def add_field_aliases(path: Path, table: str, fields: list[str],
                      lang: Lang | str = Lang.zh) -> None:
    """An alias for each of ``fields`` of the table ``table`` (one without geometry, such as
    the employment figures) in ``gpkg_data_columns``."""
    db = sqlite3.connect(path)
    try:
        with db:
            _write_aliases(db, table, _aliases(fields, lang))
    finally:
        db.close()


def geometry_kind(geom_types: Any) -> str:
    """"point", "line" or "polygon": what a layer of ``geom_types`` (shapely type names)
    draws."""
    names = " ".join(str(g) for g in geom_types)
    if "Polygon" in names:
        return "polygon"
    if "Line" in names:
        return "line"
    return "point"
