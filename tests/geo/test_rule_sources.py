"""Honest numbers: a default carries a seed clause only where DOMAIN.md gives it with that
clause; every other default is a bureau setting (本局设定). DOMAIN.md's clause list is read
from the file itself: each line's numbers under the clauses it (or its heading) cites."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from geo.rules import Rules, iter_rules, load_rules
from geo.rules.model import rule, setting
from geo.rules.template import rules_template

ROOT = Path(__file__).resolve().parents[2]
# the domain document (rules, numbers, workflow with their clauses) as the project keeps it
DOMAIN_MD = Path(os.environ.get("SIJIE_DOMAIN_MD", ROOT / "docs" / "DOMAIN.md"))
_CN = "一二三四五六七八九十百"
# one clause after its seed number: 二(一)3(2), 二(五)1, 第三十条 (a § may come first)
_PART = rf"(?:§ )?(?:[{_CN}]+(?:\([{_CN}]+\))?\d*(?:\(\d+\))?|第[{_CN}]+条)"
_CITATION = re.compile(rf"\b(00\d) ({_PART}(?:, {_PART})*)")
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)(\s*%)?")
_RATIO = re.compile(r"\b(\d+):(\d+)\b")


def citations(text: str) -> list[str]:
    """The clauses ``text`` cites, each as "001 § 二(一)3(2)" or "004 第三十条"."""
    found = []
    for seed, parts in _CITATION.findall(text):
        for part in parts.split(", "):
            part = part.removeprefix("§ ")
            found.append(f"{seed} {part}" if part.startswith("第") else f"{seed} § {part}")
    return found


def numbers(text: str) -> set[float]:
    """The numbers ``text`` says: 3,000 → 3000, 85 % → 0.85 (and 85), 1:1 → 0.5 (and 1)."""
    text = _CITATION.sub("", text)
    found: set[float] = set()
    for digits, percent in _NUMBER.findall(text):
        value = float(digits.replace(",", ""))
        found.add(value)
        if percent:
            found.add(value / 100)
    for a, b in _RATIO.findall(text):
        found.add(float(a) / (float(a) + float(b)))
    return found


def clause_list(markdown: str) -> dict[str, set[float]]:
    """DOMAIN.md's clause list: each clause it cites with the numbers given under it (a line
    citing no clause gives its numbers under its heading's clauses). A table's "default …"
    column holds the product's defaults, not the clause's numbers, and is left out."""
    listed: dict[str, set[float]] = {}
    heading: list[str] = []
    columns: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            heading = citations(line)
            for clause in heading:
                listed.setdefault(clause, set())
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not columns:
                columns = cells
                continue
            line = " | ".join(c for c, title in zip(cells, columns, strict=False)
                              if not title.startswith("default"))
        else:
            columns = []
        for clause in citations(line) or heading:
            listed.setdefault(clause, set()).update(numbers(line))
    return listed


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _related(a: str, b: str) -> bool:
    """The same clause, or one a part of the other (二(一)4 and 二(一)4(2))."""
    return a == b or a.startswith(b) or b.startswith(a)


def _family(clause: str) -> str:
    """The section a clause belongs to: "001 § 二(一)" of "001 § 二(一)3(1)"."""
    match = re.match(r"00\d (?:§ [^(]+\([^)]+\)|第.+条)", clause)
    return match.group(0) if match else clause


def unlisted(rules: BaseModel, listed: dict[str, set[float]]) -> list[str]:
    """The defaults that carry a clause DOMAIN.md does not give them: a number not among the
    numbers under that clause (or a part of it); a word, name or choice under a section
    DOMAIN.md never cites."""
    wrong = []
    for entry in iter_rules(rules):
        if entry.bureau_setting:
            continue
        leaves = _leaves(entry.value)
        counted = [v for v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)]
        related = [c for c in listed if _related(c, entry.clause)]
        if counted and not related:
            wrong.append(f"{entry.key}: {entry.clause} is not in DOMAIN.md")
            continue
        given = set().union(*(listed[c] for c in related))
        wrong += [f"{entry.key} = {v}: DOMAIN.md gives no such number under {entry.clause}"
                  for v in counted if float(v) not in given]
        if not counted and not any(_family(c) == _family(entry.clause) for c in listed):
            wrong.append(f"{entry.key}: DOMAIN.md cites nothing of {_family(entry.clause)}")
    return wrong


@pytest.fixture(scope="module")
def domain_text() -> str:
    assert DOMAIN_MD.is_file(), f"DOMAIN.md not found at {DOMAIN_MD} (set SIJIE_DOMAIN_MD)"
    return DOMAIN_MD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def domain(domain_text) -> dict[str, set[float]]:
    return clause_list(domain_text)


def test_the_clause_list_is_read_as_domain_md_states_it(domain):
    assert {3_000.0, 5_000.0} <= domain["004 第三十条"]
    assert {4.0, 13.0} <= domain["001 § 二(四)2"]
    assert {0.85, 0.9, 0.1, 1_000.0} <= domain["002 § 二(七)2"]
    assert {50.0, 0.5, 0.05, 350_000.0, 120.0} <= domain["001 § 二(五)1"]
    # the redacted N and M and the thresholds of B3–B7 are given under no clause
    assert 0.6 not in domain["001 § 二(一)3(2)"] and 3_000.0 not in domain.get(
        "001 § 二(一)3(3)", set())


def test_no_default_carries_a_clause_domain_md_does_not_give_it(domain):
    assert unlisted(Rules(), domain) == []


def test_a_number_under_a_clause_that_does_not_give_it_is_caught(domain):
    class Honest(BaseModel):
        quota_min: int = rule(4, "001 § 二(四)2", "least workers")
        weight: float = setting(0.4, "index weight")

    class Dishonest(BaseModel):
        employees_per_worker: int = rule(500, "001 § 二(四)2", "employees per worker")
        cap: int = rule(20, "001 § 二(四)2", "most workers of a 特大 community")
        threshold: float = rule(0.9, "001 § 二(九)9", "a clause no seed has")

        roster: tuple[str, ...] = rule(("区财政局",), "001 § 三(一)", "a section never cited")

    assert unlisted(Honest(), domain) == []
    assert [w.split(":")[0].split(" =")[0]
            for w in unlisted(Dishonest(), domain)] == [
        "employees_per_worker", "cap", "threshold", "roster"]


def test_the_thresholds_no_seed_gives_are_bureau_settings():
    entries = {e.key: e for e in iter_rules(Rules())}
    for key in ("boundary.edge_share_min", "boundary.polsby_popper_min",
                "boundary.industrial_share_min", "scale.employees_target", "scale.employees_max",
                "classification.weights", "classification.larger_from",
                "staffing.quota_by_index", "grid.capacity_factor"):
        assert entries[key].bureau_setting and entries[key].clause == "", key
        assert entries[key].source("zh") == "本局设定"
        assert entries[key].source("en") == "bureau setting"
    assert entries["staffing.quota_max"].source("en") == "001 § 二(四)2"


def test_rules_init_writes_every_setting_commented_and_it_loads_back_to_the_defaults(tmp_path):
    text = rules_template(lang="zh")
    path = tmp_path / "bureau.toml"
    path.write_text(text, encoding="utf-8")
    assert load_rules(path) == Rules()
    data = tomllib.loads(text)
    lines = text.splitlines()
    for entry in iter_rules(Rules()):
        section, _, name = entry.key.rpartition(".")
        holder = data
        for part in filter(None, section.split(".")):
            holder = holder[part]
        if entry.value is None:
            assert f'# {name} = "EPSG:4549"' in lines
            continue
        assert name in holder, entry.key
        row = next(i for i, line in enumerate(lines) if (line.startswith(f"{name} = ")
                   and f"[{section}]" in "\n".join(lines[:i])) or (not section
                   and line.startswith(f"{name} = ")))
        comment = lines[row - 1]
        assert comment.startswith("# ") and comment.endswith(f"[{entry.source('zh')}]")


def test_a_template_of_a_bureau_file_keeps_the_bureau_values(tmp_path):
    bureau = tmp_path / "bureau.toml"
    bureau.write_text("[boundary]\nedge_share_min = 0.85\n[workflow]\n"
                      'departments = ["区民政局", "区发改局"]\n', encoding="utf-8")
    rules = load_rules(bureau)
    again = tmp_path / "again.toml"
    again.write_text(rules_template(rules, lang="en"), encoding="utf-8")
    assert load_rules(again) == rules


def test_findings_say_their_limits_are_bureau_settings_beside_the_clause(demo_dir):
    from geo.io import read_context, read_layer
    from geo.proposal import proposal_from_frame
    from geo.validate import validate

    ctx = read_context(str(demo_dir / "context.gpkg"), Rules())
    settings = {e.key for e in iter_rules(Rules()) if e.bureau_setting}

    def report(name: str, lang: str) -> dict:
        path = demo_dir / "proposals" / f"{name}.gpkg"
        return validate(proposal_from_frame(read_layer(path), source=str(path)), ctx).to_dict(lang)

    b3 = next(f for f in report("flaw_b3_offroad_edge", "zh")["findings"] if f["rule"] == "B3")
    assert b3["clause"] == "001 § 二(一)3(2)" and "本局设定" in b3["basis"]
    assert "boundary.edge_share_min" in b3["bureau_settings"]
    assert set(b3["bureau_settings"]) <= settings
    b8 = next(f for f in report("flaw_b8_oversize", "en")["findings"] if f["rule"] == "B8")
    assert b8["basis"] == "001 § 二(一)3(3) (limits: bureau setting)"
    assert "scale.employees_max" in b8["bureau_settings"]
    # the naming rule's words are the seed's own: no bureau setting behind them
    b9 = next(f for f in report("flaw_b9_bad_name", "zh")["findings"] if f["rule"] == "B9")
    assert b9["bureau_settings"] == [] and b9["basis"] == b9["clause"]


def test_the_profile_takes_its_quota_from_the_index_and_names_its_bureau_settings(demo_dir):
    from geo.io import read_context, read_layer
    from geo.profile import community_profile
    from geo.profile.info_table import info_rows
    from geo.proposal import proposal_from_frame

    rules = Rules()
    ctx = read_context(str(demo_dir / "context.gpkg"), rules)
    path = demo_dir / "proposals" / "good_industrial.gpkg"
    profile = community_profile(proposal_from_frame(read_layer(path)), ctx, year=2026,
                                party_members=40)
    # the bureau's table (DEFAULT_QUOTA_BY_INDEX) read at the profile's own index
    quota = max(q for start, q in rules.staffing.quota_by_index if profile.index >= start)
    assert profile.staff_quota == min(max(quota, 4), 13)
    settings = {e.key for e in iter_rules(rules) if e.bureau_setting}
    assert "staffing.quota_by_index" in profile.bureau_settings
    assert "funding.party_level_from_members" in profile.bureau_settings
    assert set(profile.bureau_settings) <= settings
    assert profile.to_dict()["bureau_settings"] == list(profile.bureau_settings) or \
        tuple(profile.to_dict()["bureau_settings"]) == profile.bureau_settings
    notes = dict(info_rows(profile, "zh"))["说明"]
    assert "本局设定" in notes and "员额对照表" in notes
    assert "bureau setting" in dict(info_rows(profile, "en"))["Notes"]
