"""One message catalogue: every id used is translated into Chinese and English with the same
placeholders, nothing in it is unused, its compiled files are current, and no user-facing
Chinese text is written outside it."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from geo.i18n import LOCALES, Lang, Text, catalogue, known, lang_from_env, lang_from_header, t
from geo.i18n.extract import used_ids

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("geo", "maps", "api")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # Chinese words or punctuation

# Chinese string constants that are data, not words said to the reader: (path, value, reason)
ALLOWED = [
    (r"geo/(rules/model|validate/holdings|validate/report)\.py", r"00\d (§|第).*",
     "clauses of the policy documents, cited as they are numbered"),
    (r"geo/rules/model\.py", r"工业社区|楼宇社区|\(党群\)服务中心",
     "the naming suffixes the policy prescribes (rule B9 defaults)"),
    (r"geo/rules/model\.py", r"[A-Za-z][ -~\u4e00-\u9fff]*",
     "the rules model's English descriptions quote the policy's own terms"),
    (r"geo/rules/model\.py", r"区[^ -~]+",
     "the joint review's district departments (roster defaults, as users' departments name them)"),
    (r"geo/proposal\.py", r"工业社区|工业|楼宇社区|楼宇",
     "community types as bureau files write them, read into their English ids"),
    (r"maps/basemaps\.py", r"© 天地图 Tianditu \(国家地理信息公共服务平台\)|© 高德地图 AutoNavi",
     "the attribution each tile provider's terms require"),
    (r"maps/basemaps\.py", r"高德地图|天地图矢量|天地图影像| 注记",
     "tile layer names (not shown: the layers are outside the layer control)"),
    (r"api/(app|routes/features)\.py", r"四界 sijie.*|产业型社区边界、网格与服务设施用地服务 — .*",
     "the product's name and the OpenAPI description, bilingual for every client"),
    (r"api/services/features\.py", r"[^ -~]+ [A-Z][ -~]+",
     "OGC API collection titles, one bilingual title for every client of the collections"),
    (r"api/demo\.py", r"[^ -~]+( [^ -~]+| GIS [^ -~]+)?",
     "the demo town's users and their departments (data, as a bureau would enter them)"),
    (r"geo/employment/table\.py", r"[^ -~]+",
     "the headers the 人力社保局's tables are known to use (read from data, never shown)"),
    (r"geo/rules/model\.py", r"[^ -~]*[\u4e00-\u9fff][^ -~]*",
     "the column names bureau files use for a proposal's name and type (read, never shown)"),
    (r"geo/io/frames\.py", r"[ -~]*[\u4e00-\u9fff][ -~\u4e00-\u9fff]*",
     "the column names of geometry and coordinates in bureau CSV tables (read, never shown)"),
    (r"api/package\.py", r"附件1_新建产业型社区信息表\.(xlsx|docx)|附件2_审核建议\.docx|"
     r"附件3_请示\.docx|方案\.docx|现状图|布局图",
     "the file names of the documents and maps the application prescribes (001 § 二(一)4)"),
    (r"maps/printed/sheet\.py", r"现状图|布局图|现状图 \(status\), 布局图 \(layout\)",
     "the map kinds of the command-line contract (DESIGN.md), as users type them"),
]


def _catalogue(locale: str) -> dict[str, str]:
    return {m.id: m.string for m in catalogue.read(locale) if m.id}


@pytest.fixture(scope="module")
def used() -> dict[str, set[str]]:
    return used_ids(*(ROOT / p for p in PACKAGES))


@pytest.mark.parametrize("locale", sorted(LOCALES.values()))
def test_every_message_is_translated(locale):
    empty = sorted(key for key, text in _catalogue(locale).items() if not text)
    assert not empty, f"untranslated in {locale}: {empty}"


def test_every_message_in_the_catalogue_is_used_in_the_code(used):
    unused = sorted(set(_catalogue("zh_CN")) - set(used))
    assert not unused, f"unused messages (run `make messages`): {unused}"


@pytest.mark.parametrize("locale", sorted(LOCALES.values()))
def test_every_message_used_in_the_code_is_in_the_catalogue(used, locale):
    missing = {key: sorted(files) for key, files in used.items()
               if key not in _catalogue(locale)}
    assert not missing, f"messages missing from {locale} (run `make messages`): {missing}"


def _placeholders(text: str) -> list[tuple[str, str, str | None]]:
    return sorted((name, spec or "", conversion)
                  for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


def test_chinese_and_english_have_the_same_placeholders_and_formats():
    zh, en = _catalogue("zh_CN"), _catalogue("en")
    differ = {key: (zh[key], en.get(key)) for key in zh
              if _placeholders(zh[key]) != _placeholders(en.get(key, ""))}
    assert not differ, differ


def test_the_template_is_current():
    pot = catalogue.pot_path().read_bytes()
    assert pot == catalogue._text(catalogue.template()), \
        "geo/locale/sijie.pot is stale: run `make messages`"


@pytest.mark.parametrize("locale", sorted(LOCALES.values()))
def test_the_compiled_catalogue_is_the_translations(locale):
    with catalogue.po_path(locale).with_suffix(".mo").open("rb") as fp:
        shipped = {m.id: m.string for m in read_mo(fp) if m.id}
    assert shipped == _catalogue(locale), f"{locale} sijie.mo is stale: run `make messages`"


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _allowed(path: str, value: str) -> bool:
    return any(re.fullmatch(where, path) and re.fullmatch(pattern, value)
               for where, pattern, _ in ALLOWED)


def test_no_chinese_text_bypasses_the_catalogue():
    bypass = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = _docstrings(tree)
            bypass += [f"{name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
                       if isinstance(node, ast.Constant) and isinstance(node.value, str)
                       and id(node) not in docstrings and CJK.search(node.value)
                       and not _allowed(name, node.value)]
    assert not bypass, "Chinese text outside the catalogue:\n" + "\n".join(bypass)


def test_a_message_is_said_in_either_language_with_localised_values():
    assert t("several_proposals", Lang.zh, listed=Text("unnamed_features", {"count": 3})) == \
        "含多个方案（3 个未命名要素）；请用 --feature 指定其中一个的名称"
    assert t("several_proposals", "en", listed=Text("unnamed_features", {"count": 3})) == \
        "holds several proposals (3 unnamed features); pick one with --feature NAME"
    assert t("upload_too_large", "en-GB", size=2048, limit=1024) == \
        "the upload is 2,048 bytes; at most 1,024 are accepted"


def test_an_unknown_message_id_is_refused():
    assert known("crs_missing") and not known("no_such_message")
    with pytest.raises(KeyError):
        t("no_such_message")


@pytest.mark.parametrize(("environ", "lang"), [
    ({}, Lang.zh), ({"LANG": "C"}, Lang.zh), ({"LANG": "POSIX"}, Lang.zh),
    ({"LANG": "C.UTF-8"}, Lang.zh), ({"LANG": "zh_CN.UTF-8"}, Lang.zh),
    ({"LANG": "en_US.UTF-8"}, Lang.en), ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, Lang.zh),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, Lang.en),
    ({"LANG": "en_US.UTF-8", "LC_ALL": ""}, Lang.en),
])
def test_the_environment_chooses_the_language_lc_all_first(environ, lang):
    assert lang_from_env(environ) is lang


@pytest.mark.parametrize(("header", "lang"), [
    (None, Lang.zh), ("", Lang.zh), ("en", Lang.en), ("en-US,en;q=0.9", Lang.en),
    ("zh-CN,en;q=0.8", Lang.zh), ("fr", Lang.zh),
])
def test_accept_language_chooses_english_only_when_it_comes_first(header, lang):
    assert lang_from_header(header) is lang
