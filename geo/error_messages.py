"""What sijie's errors say, in Chinese (the default) and English, looked up by key.

An error is raised with a message key and the values of its placeholders; the text is made
only when it is shown, in the reader's language. A value may itself be localised (anything
with a ``message(lang)`` method, such as a :class:`Text` fragment, a finding or another
error) and is then rendered in the same language. The English texts are the errors'
``str()`` texts word for word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["LANGS", "MESSAGES", "Localised", "OneOf", "Text", "normalise_lang", "render"]

LANGS = ("zh", "en")

_USE_DB = "gpkg:///file.gpkg 或 postgresql+psycopg://user@host/db"

MESSAGES: dict[str, dict[str, str]] = {
    # --- fragments: parts of other messages ---
    "none": {"zh": "无", "en": "none"},
    "none_paren": {"zh": "（无）", "en": "(none)"},
    "nothing": {"zh": "无", "en": "nothing"},
    "and_more": {"zh": "（另有 {count} 个）", "en": " and {count} more"},
    "unnamed_features": {"zh": "{count} 个未命名要素", "en": "{count} unnamed features"},
    "action_read": {"zh": "无法读取", "en": "could not be read"},
    "action_write": {"zh": "无法写入", "en": "could not be written"},
    "gdal_damaged": {"zh": "文件已损坏或不完整（内部数据库格式错误）",
                     "en": "it is damaged or truncated (the database inside is malformed)"},
    "gdal_unrecognised": {"zh": "内容不是 GDAL 可读取的格式（文件损坏或类型不对）",
                          "en": "its contents are not in a format GDAL can read (damaged or wrong "
                                "file type)"},
    "gdal_says": {"zh": "GDAL 报告：{text}", "en": "GDAL says: {text}"},
    "gdal_failed_with": {"zh": "GDAL 出错（{error}）", "en": "GDAL failed with {error}"},
    "crs_where_lonlat": {"zh": "经纬度 {bounds}", "en": "lon/lat {bounds}"},
    "crs_where_unconvertible": {"zh": "无法换算为经纬度",
                                "en": "which do not convert to longitude/latitude"},
    "crs_hint_add_prefix": {
        "zh": "；横坐标以带号（{zone}）开头，可能混淆了带号与不带号的坐标系：请改用 --crs "
              "EPSG:{suggested}，而非 EPSG:{epsg}",
        "en": "; the eastings start with a zone number ({zone}), so this may be a zone-prefix "
              "mix-up: try --crs EPSG:{suggested} instead of EPSG:{epsg}"},
    "crs_hint_drop_prefix": {
        "zh": "；横坐标前没有带号，可能混淆了带号与不带号的坐标系：请改用 --crs "
              "EPSG:{suggested}，而非 EPSG:{epsg}",
        "en": "; the eastings have no zone number in front, so this may be a zone-prefix "
              "mix-up: try --crs EPSG:{suggested} instead of EPSG:{epsg}"},
    "crs_hint_prefix": {"zh": "；可能混淆了高斯–克吕格投影带号与不带号的坐标系",
                        "en": "; this may be a Gauss–Krüger zone-prefix mix-up"},
    "upload_hint_zip": {"zh": "（Shapefile 请打包为 .zip）", "en": " (a Shapefile as .zip)"},
    "gpkg_looks_xml": {"zh": "（内容像是 XML，例如 GDAL VRT）",
                       "en": " (it looks like XML, e.g. a GDAL VRT)"},
    "db_absolute_hint": {"zh": "；如指绝对路径 /{path}，请写作 gpkg:////{path}",
                         "en": "; for the absolute path /{path} write gpkg:////{path}"},
    # --- coordinate reference systems ---
    "crs_missing": {
        "zh": "没有坐标系；请用 --crs 指定（例如 --crs EPSG:4490 或 --crs GCJ02）",
        "en": "has no coordinate reference system; name one with --crs "
              "(for example --crs EPSG:4490 or --crs GCJ02)"},
    "crs_declared_unknown": {
        "zh": "--crs 指定的 “{declared}” 不是有效的坐标系；请使用 EPSG 代码（如 EPSG:4490 或 "
              "EPSG:4549），高德坐标请用 GCJ02",
        "en": "--crs value '{declared}' is not a coordinate reference system; use an EPSG code "
              "such as EPSG:4490 or EPSG:4549, or GCJ02 for AMap/Gaode coordinates"},
    "crs_axes_swapped": {
        "zh": "经纬度疑似颠倒：x 范围 {minx:g}–{maxx:g}，y 范围 {miny:g}–{maxy:g}；请调整坐标轴"
              "顺序，使 x 为经度、y 为纬度",
        "en": "latitude and longitude look swapped: x runs {minx:g}–{maxx:g} and y runs "
              "{miny:g}–{maxy:g}; fix the axis order so that x is longitude and y latitude"},
    "crs_outside_china": {
        "zh": "位于中国境外（{crs} 下经纬度范围为 {bounds}）；请核对坐标系，并用 --crs 指定正确的"
              "坐标系",
        "en": "lies outside China (lon/lat bounds {bounds} in {crs}); check the coordinate "
              "reference system and name the right one with --crs"},
    "crs_outside_china_projected": {
        "zh": "按 {crs} 读取时位于中国境外（范围 {bounds}，{where}）；请核对坐标系，并用 --crs "
              "指定正确的坐标系{hint}",
        "en": "lies outside China when read as {crs} (bounds {bounds}, {where}); check the "
              "coordinate reference system and name the right one with --crs{hint}"},
    "crs_lon_outside_zones": {
        "zh": "经度 {lon}°E 超出我国高斯–克吕格投影分带范围（{min_lon}°E–{max_lon}°E）；请核对"
              "数据的坐标系，或在规则文件中设置 work_crs",
        "en": "longitude {lon}°E is outside China's Gauss–Krüger zones ({min_lon}°E–"
              "{max_lon}°E); check the coordinate reference system of the data or set work_crs "
              "in the rules file"},
    "work_crs_unknown": {
        "zh": "规则文件中的 work_crs “{value}” 不是有效的坐标系；请使用以米为单位的 EPSG 代码，"
              "如 EPSG:4549",
        "en": "work_crs '{value}' in the rules file is not a coordinate reference system; use a "
              "metric EPSG code such as EPSG:4549"},
    "work_crs_geographic": {
        "zh": "规则文件中的 work_crs “{value}” 不是投影坐标系（以米为单位）；请使用 CGCS2000 "
              "高斯–克吕格投影代码，如 EPSG:4549",
        "en": "work_crs '{value}' in the rules file is not a projected (metric) CRS; use a "
              "CGCS2000 Gauss–Krüger code such as EPSG:4549"},
    "crs_no_extent": {
        "zh": "数据没有范围（是否为空？），无法确定高斯–克吕格投影分带；请在规则文件中设置 "
              "work_crs",
        "en": "cannot pick a Gauss–Krüger zone because the data has no extent (is it empty?); "
              "set work_crs in the rules file"},
    # --- rules files ---
    "rules_not_found": {"zh": "规则文件不存在", "en": "rules file not found"},
    "rules_not_utf8": {"zh": "规则文件不是 UTF-8 编码的文本", "en": "rules file is not UTF-8 text"},
    "rules_not_toml": {"zh": "不是有效的 TOML 格式（{detail}）", "en": "not valid TOML ({detail})"},
    "rules_unknown_key": {
        "zh": "没有这个规则项（可用 `sijie rules show` 查看全部规则项）",
        "en": "unknown key (see `sijie rules show` for the keys there are)"},
    "rules_bad_value": {"zh": "取值不符合要求：{problem}，实为 {got}", "en": "{problem}, got {got}"},
    # what pydantic says of a rules value, keyed by its error type (English as pydantic words it)
    "pyd_float_parsing": {"zh": "应为数值",
                          "en": "input should be a valid number, unable to parse string as a "
                                "number"},
    "pyd_float_type": {"zh": "应为数值", "en": "input should be a valid number"},
    "pyd_int_parsing": {"zh": "应为整数",
                        "en": "input should be a valid integer, unable to parse string as an "
                              "integer"},
    "pyd_int_type": {"zh": "应为整数", "en": "input should be a valid integer"},
    "pyd_int_from_float": {"zh": "应为整数，不能有小数部分",
                           "en": "input should be a valid integer, got a number with a "
                                 "fractional part"},
    "pyd_bool_parsing": {"zh": "应为 true 或 false",
                         "en": "input should be a valid boolean, unable to interpret input"},
    "pyd_bool_type": {"zh": "应为 true 或 false", "en": "input should be a valid boolean"},
    "pyd_string_type": {"zh": "应为文本", "en": "input should be a valid string"},
    "pyd_list_type": {"zh": "应为列表", "en": "input should be a valid list"},
    "pyd_tuple_type": {"zh": "应为列表", "en": "input should be a valid tuple"},
    "pyd_dict_type": {"zh": "应为表（[节]）", "en": "input should be a valid dictionary"},
    "pyd_greater_than": {"zh": "应大于 {gt}", "en": "input should be greater than {gt}"},
    "pyd_greater_than_equal": {"zh": "应不小于 {ge}",
                               "en": "input should be greater than or equal to {ge}"},
    "pyd_less_than": {"zh": "应小于 {lt}", "en": "input should be less than {lt}"},
    "pyd_less_than_equal": {"zh": "应不大于 {le}",
                            "en": "input should be less than or equal to {le}"},
    # --- files, layers and fields ---
    "file_not_found": {"zh": "文件不存在", "en": "file does not exist"},
    "is_folder": {"zh": "是文件夹而非文件；请指定要读取的文件",
                  "en": "is a folder, not a file; name the file to read"},
    "file_type_unsupported": {"zh": "不支持文件类型 “{suffix}”；请使用以下之一：{known}",
                              "en": "file type '{suffix}' is not supported; use one of {known}"},
    "two_layers_named": {
        "zh": "指定了两个不同的图层（路径中为 “{inline}”，选项中为 “{option}”）；请只指定一个",
        "en": "two different layers were named ('{inline}' in the path and '{option}' as an "
              "option); name only one"},
    "gdal_failed": {"zh": "{action}：{detail}", "en": "{action}: {detail}"},
    "layer_not_found": {"zh": "没有该图层；现有图层：{layers}",
                        "en": "there is no such layer; the layers are: {layers}"},
    "no_layers": {"zh": "不含任何图层", "en": "holds no layers"},
    "several_layers": {
        "zh": "含 {count} 个图层；请以 文件:图层 的形式指定其一，例如 “{example}”；现有图层：{layers}",
        "en": "holds {count} layers; name one as FILE:LAYER, e.g. '{example}'; the layers are: "
              "{layers}"},
    "no_features": {"zh": "不含任何要素", "en": "has no features"},
    "table_without_geometry": {"zh": "是不含几何的属性表，不是地图图层",
                               "en": "is a table without geometry, not a map layer"},
    "text_encoding_invalid": {
        "zh": "其文本不是有效的 {encoding} 编码；请指定正确的编码（如 GBK 或 UTF-8）",
        "en": "its text is not valid {encoding}; name the right encoding (e.g. GBK or UTF-8)"},
    "encoding_unknown": {"zh": "未知的文本编码 “{encoding}”；请使用 GBK 或 UTF-8 等",
                         "en": "text encoding '{encoding}' is unknown; use e.g. GBK or UTF-8"},
    "write_no_crs": {"zh": "无法写入：图层没有坐标系，请先设定坐标系",
                     "en": "cannot be written: the layer has no coordinate reference system; "
                           "set one first"},
    "write_empty_layer_name": {"zh": "无法写入：图层名称为空",
                               "en": "cannot be written: the layer name is empty"},
    "dxf_no_layer_names": {"zh": "图纸中没有 CAD 图层名称", "en": "the drawing has no CAD layer names"},
    "dxf_layer_not_found": {
        "zh": "没有含图元的该 CAD 图层；图纸中的图层：{layers}",
        "en": "there is no such CAD layer with entities; the drawing's layers are: {layers}"},
    "zip_unreadable": {"zh": "不是可读取的 zip 压缩包（已损坏或不是 zip 文件）",
                       "en": "is not a readable zip archive (damaged or not a zip)"},
    "zip_no_shapefile": {"zh": "zip 压缩包中没有 Shapefile（.shp）；其中有：{held}{more}",
                         "en": "the zip archive holds no shapefile (.shp); it holds: {held}{more}"},
    "zip_layer_not_found": {"zh": "没有该图层；zip 压缩包中有：{names}",
                            "en": "there is no such layer; the zip archive holds: {names}"},
    "zip_several_shapefiles": {
        "zh": "zip 压缩包中有 {count} 个 Shapefile；请以 文件:图层 的形式指定其一：{names}",
        "en": "the zip archive holds {count} shapefiles; name one of {names} (as FILE:LAYER)"},
    "zip_member_damaged": {
        "zh": "zip 压缩包中的 “{member}” 无法解压（压缩包已损坏）",
        "en": "member '{member}' of the zip archive cannot be unpacked (damaged archive)"},
    # --- the context and the proposal ---
    "context_column_missing": {
        "zh": "缺少字段 “{theirs}”（{meaning}）；请在规则文件的 [context.columns.{layer}] 中"
              "设置本单位数据对应的字段名",
        "en": "has no column '{theirs}' ({meaning}); map the bureau's column in the rules file "
              "under [context.columns.{layer}]"},
    "expected_number": {"zh": "应为数值，实为 {value}", "en": "expected a number, got {value}"},
    "wrong_geometry_type": {"zh": "几何类型为 {found}，应为 {expected}",
                            "en": "has a {found} where {expected} is expected"},
    "geometry_invalid": {"zh": "几何无效（{reason}）", "en": "geometry is invalid ({reason})"},
    "context_layer_missing": {
        "zh": "缺少图层 “{layer}”（{role}），校验需要该图层",
        "en": "has no layer '{layer}' ({role}), which validation needs"},
    "custodial_parts_bad": {
        "zh": 'custodial_parts 应为 JSON 列表，如 [{{"part": 2, "reason": "…"}}]，实为 {value}',
        "en": 'custodial_parts must be a JSON list like [{{"part": 2, "reason": "…"}}], '
              "got {value}"},
    "feature_not_found": {"zh": "没有名为 “{feature}” 的要素；现有要素：{names}",
                          "en": "has no feature named '{feature}'; it has: {names}"},
    "several_proposals": {"zh": "含多个方案（{listed}）；请用 --feature 名称 选择其一",
                          "en": "holds several proposals ({listed}); pick one with --feature NAME"},
    "adjust_invalid": {"zh": "无法调整边界：{finding}", "en": "cannot be adjusted: {finding}"},
    "adjust_outside_town": {
        "zh": "无法调整边界：方案位于镇（街道）辖区之外",
        "en": "cannot be adjusted: it lies outside the town's jurisdiction"},
    "grids_invalid": {"zh": "无法划分网格：{finding}", "en": "cannot be divided into grids: {finding}"},
    "facility_invalid": {"zh": "无法进行服务设施用地选址：{finding}",
                         "en": "cannot host a facility search: {finding}"},
    "profile_invalid": {"zh": "无法生成社区概况：{finding}",
                        "en": "cannot profile the community: {finding}"},
    "live_work_share_range": {"zh": "live_work_share 应在 0 到 1 之间，实为 {value}",
                              "en": "live_work_share must be between 0 and 1, got {value}"},
    # --- uploads to the service ---
    "upload_reason": {"zh": "{reason}", "en": "{reason}"},
    "crs_parameter": {"zh": "crs 参数", "en": "the crs parameter"},
    "crs_field": {"zh": "crs 字段", "en": "the crs field"},
    "upload_vsi_name": {"zh": "文件名是 GDAL 虚拟路径或网址；请上传文件本身",
                        "en": "the file name is a GDAL virtual path or a URL; upload the file "
                              "itself"},
    "upload_too_large": {"zh": "上传文件为 {size:,} 字节，最多接受 {limit:,} 字节",
                         "en": "the upload is {size:,} bytes; at most {limit:,} are accepted"},
    "upload_type_refused": {"zh": "不接受文件类型 “{suffix}”；请上传以下之一：{types}{hint}",
                            "en": "file type '{suffix}' is not accepted; upload one of "
                                  "{types}{hint}"},
    "upload_empty": {"zh": "文件为空", "en": "the file is empty"},
    "upload_layer_empty": {"zh": "图层不含任何要素", "en": "the layer has no features"},
    "upload_no_polygons": {
        "zh": "不含面要素（现有几何类型：{kinds}）；方案边界必须是面",
        "en": "has no polygon features (geometry types found: {kinds}); a proposal must be an "
              "area"},
    "upload_missing_crs": {
        "zh": "没有坐标系；请传入 crs 参数（例如 EPSG:4549 或 GCJ02），或在文件中写明坐标系",
        "en": "has no coordinate reference system; send the crs parameter (for example "
              "EPSG:4549 or GCJ02) or include it in the file"},
    "town_missing_crs": {
        "zh": "没有坐标系；请在文件中设定坐标系，或传入 crs 字段（例如 EPSG:4549）",
        "en": "has no coordinate reference system; assign one in the file or send the crs "
              "field (for example EPSG:4549)"},
    "upload_unrecognised": {"zh": "GDAL 无法识别其内容（文件已损坏或不是地图文件）",
                            "en": "GDAL does not recognise its contents (damaged or not a map "
                                  "file)"},
    "upload_driver_refused": {
        "zh": "GDAL 识别其格式为 “{driver}”，但此类文件只接受 {allowed}",
        "en": "GDAL recognises it as '{driver}', but only {allowed} is accepted for this file "
              "type"},
    "zip_too_many_members": {"zh": "zip 压缩包中有 {count} 个文件，最多接受 {limit} 个",
                             "en": "the zip archive holds {count} members; at most {limit} are "
                                   "accepted"},
    "zip_traversal": {
        "zh": "zip 压缩包中的 “{member}” 指向压缩包之外（绝对路径、“..”或符号链接），此类压缩包"
              "不予接受",
        "en": "zip member '{member}' points outside the archive (absolute path, '..' or "
              "symbolic link); such archives are refused"},
    "zip_too_big_unpacked": {"zh": "zip 压缩包解压后为 {size:,} 字节，最多接受 {limit:,} 字节",
                             "en": "the zip archive unpacks to {size:,} bytes; at most {limit:,} "
                                   "are accepted"},
    "zip_ratio": {"zh": "zip 压缩包解压后为压缩大小的 {ratio:,.0f} 倍，最多接受 {limit:g} 倍",
                  "en": "the zip archive unpacks to {ratio:,.0f} times its packed size; at most "
                        "{limit:g} times is accepted"},
    "zip_member_oversize": {"zh": "zip 压缩包中的 “{member}” 解压后超出其声明的大小",
                            "en": "zip member '{member}' unpacks to more than it declares"},
    "zip_member_unpack_failed": {
        "zh": "zip 压缩包中的 “{member}” 无法解压（已损坏、已加密，或数据与声明的大小和校验和"
              "不符）",
        "en": "zip member '{member}' cannot be unpacked (damaged, encrypted or its data does "
              "not match its declared size and checksum)"},
    "zip_no_header": {"zh": "不是 zip 压缩包（缺少 zip 文件头）",
                      "en": "is not a zip archive (no zip header)"},
    "zip_damaged": {"zh": "不是可读取的 zip 压缩包（已损坏）",
                    "en": "is not a readable zip archive (damaged)"},
    "shapefile_no_prj": {
        "zh": "Shapefile “{layer}” 缺少 .prj 文件，坐标系未知；请将 .prj 一并打包，或传入 crs 参数"
              "（例如 EPSG:4549）",
        "en": "shapefile '{layer}' has no .prj, so its coordinate reference system is unknown; "
              "add the .prj to the zip or send the crs parameter (for example EPSG:4549)"},
    "gpkg_no_sqlite_header": {"zh": "不是 GeoPackage：缺少 SQLite 文件头{looks}",
                              "en": "is not a GeoPackage: it lacks the SQLite header{looks}"},
    "gpkg_wrong_application_id": {
        "zh": "是 SQLite 数据库，但不是 GeoPackage（application_id 不符）",
        "en": "is an SQLite database but not a GeoPackage (wrong application_id)"},
    "gpkg_damaged": {"zh": "GeoPackage 已损坏（其数据库无法读取）",
                     "en": "is a damaged GeoPackage (its database cannot be read)"},
    "gpkg_tables_missing": {"zh": "不是 GeoPackage：缺少数据表 {tables}",
                            "en": "is not a GeoPackage: table(s) {tables} missing"},
    "gpkg_virtual_table": {
        "zh": "数据表 “{table}” 是空间索引以外的虚拟表，此类 GeoPackage 不予接受",
        "en": "table '{table}' is a virtual table other than a spatial index; such GeoPackages "
              "are refused"},
    "kml_entities": {
        "zh": "KML 声明了 DOCTYPE 或实体（可能引用外部资源），此类 XML 不予接受",
        "en": "the KML declares a DOCTYPE or entities (possibly external ones); such XML is "
              "refused"},
    "xml_malformed": {"zh": "不是格式正确的 XML：{detail}", "en": "is not well-formed XML: {detail}"},
    "kml_wrong_root": {"zh": "不是 KML：其根元素为 <{tag}>",
                       "en": "is not KML: its root element is <{tag}>"},
    "dxf_no_header": {"zh": "不是 DXF 图纸（缺少 DXF 段头）",
                      "en": "is not a DXF drawing (no DXF section header)"},
    "json_invalid": {"zh": "不是有效的 UTF-8 JSON：{detail}", "en": "is not valid UTF-8 JSON: {detail}"},
    "geojson_wrong_type": {
        "zh": "不是面状 GeoJSON：其 “type” 为 {kind}，应为以下之一：{types}",
        "en": "is not polygon GeoJSON: its 'type' is {kind}; expected one of {types}"},
    "geojson_crs_link": {
        "zh": "其 “crs” 成员链接到外部资源；请直接写明坐标系（如 urn:ogc:def:crs:EPSG::4549）",
        "en": "its 'crs' member links to an external resource; name the CRS instead (e.g. "
              "urn:ogc:def:crs:EPSG::4549)"},
    # --- the database of the service ---
    "db_folder_missing": {
        "zh": "文件夹不存在（gpkg:/// 后写相对于当前工作文件夹的路径{hint}）",
        "en": "folder does not exist (gpkg:/// takes a path relative to the working "
              "folder{hint})"},
    "db_url_unreadable": {
        "zh": f"无法识别数据库地址 “{{url}}”；请使用 {_USE_DB}",
        "en": "database URL '{url}' cannot be read; use gpkg:///file.gpkg or "
              "postgresql+psycopg://user@host/db"},
    "db_unsupported": {
        "zh": f"不支持数据库 “{{backend}}”；请使用 {_USE_DB}",
        "en": "database '{backend}' is not supported; use gpkg:///file.gpkg or "
              "postgresql+psycopg://user@host/db"},
    "db_cannot_open": {"zh": "无法打开数据库 {where}：{reason}",
                       "en": "cannot open the database {where}: {reason}"},
}


@runtime_checkable
class Localised(Protocol):
    """A text that can be said in the reader's language."""

    def message(self, lang: str = "zh") -> str: ...


def normalise_lang(lang: object) -> str:
    """``"en"`` for English (a string, or a ``str`` enum such as ``api.i18n.Lang``), else
    ``"zh"``."""
    code = str(getattr(lang, "value", lang)).lower()
    return "en" if code.startswith("en") else "zh"


def render(key: str, lang: str, params: Mapping[str, object]) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled; localised values are
    rendered in ``lang`` first."""
    code = normalise_lang(lang)
    values = {name: value.message(code) if isinstance(value, Localised) else value
              for name, value in params.items()}
    return MESSAGES[key][code].format(**values)


@dataclass(frozen=True)
class Text:
    """A localised fragment of a message: a catalogue key and its values."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return render(self.key, lang, self.params)


@dataclass(frozen=True)
class OneOf:
    """Alternatives joined as the reader says them: ``a or b`` / ``a 或 b``."""

    items: Sequence[str]

    def message(self, lang: str = "zh") -> str:
        return (" 或 " if normalise_lang(lang) == "zh" else " or ").join(self.items)
