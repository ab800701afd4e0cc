"""The README's examples are what the commands really print, so the README cannot drift.

Each ``console`` block of README.md holds ``$ sijie …`` lines, each followed by what that
command prints (stdout, then stderr). Every command is run from a folder holding the shipped demo
town as ``boundary_data/demo`` and ``boundary.shp`` (the ``good_industrial`` proposal as a
Shapefile without its ``.prj``), with no language set in the environment, and compared:

- output starting with ``{`` or ``[`` as JSON data: keys, strings, booleans and integers
  exactly; a number written with k decimals must equal the real one rounded to k decimals; a
  bare ``…`` as the last item of a list stands for the items left out (the real list has more);
- any other output as text, line by line, trailing spaces ignored.

The ``toml`` block must be a rules file that ``load_rules`` accepts with every value it sets, and
the README must open on its two commands, ``make demo`` and ``make test``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from boundary_data.demo_town import PROPOSAL_LAYER
from geo.io import read_layer
from geo.rules import load_rules

README = Path(__file__).resolve().parents[1] / "README.md"
SIJIE = Path(sys.executable).with_name("sijie")
ELIDED = "…"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# a bare … where a list item stands (after "[" or ","), ending the list; quoted to parse as JSON
BARE_ELLIPSIS = re.compile(r"(?<=[\[,\s])…(?=\s*\])")
# the shell blocks are recipes for a person (installing, serving), not run here
KINDS = {"sh", "console", "toml"}
LANGUAGE_VARIABLES = ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")


@dataclass(frozen=True)
class Example:
    """One ``$ sijie …`` line of the README and the output it shows."""

    command: str
    expected: str


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """The README's fenced blocks as (info string, body) pairs, in order."""
    return [(match[1], match[2]) for match in FENCE.finditer(text)]


def examples(text: str) -> list[Example]:
    """Every command of the ``console`` blocks with the output lines that follow it."""
    found: list[Example] = []
    for kind, body in fenced_blocks(text):
        if kind != "console":
            continue
        command, output = None, []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append(Example(command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            found.append(Example(command, "\n".join(output)))
    return found


EXAMPLES = examples(README.read_text(encoding="utf-8"))


def shown_json(text: str) -> Any:
    """The README's JSON as data, numbers kept as written (``Decimal``)."""
    return json.loads(BARE_ELLIPSIS.sub(f'"{ELIDED}"', text), parse_float=Decimal)


def assert_matches(shown: Any, real: Any, where: str = "$") -> None:
    """``real`` is what ``shown`` says, to the decimals shown and with ``…`` for items left out."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), f"{where}: README shows an object, printed {real!r}"
        assert list(shown) == list(real), f"{where}: keys {list(shown)} shown, {list(real)} printed"
        for key, value in shown.items():
            assert_matches(value, real[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(real, list), f"{where}: README shows a list, printed {real!r}"
        elided = bool(shown) and shown[-1] == ELIDED
        head = shown[:-1] if elided else shown
        if elided:
            assert len(real) > len(head), f"{where}: README leaves items out, none are left"
        else:
            assert len(real) == len(head), f"{where}: {len(head)} items shown, {len(real)} printed"
        for i, (value, got) in enumerate(zip(head, real, strict=False)):
            assert_matches(value, got, f"{where}[{i}]")
    elif isinstance(shown, Decimal):
        assert isinstance(real, Decimal), f"{where}: README shows {shown}, printed {real!r}"
        half_unit = Decimal(5).scaleb(shown.as_tuple().exponent - 1)
        assert abs(real - shown) <= half_unit, f"{where}: README shows {shown}, printed {real}"
    else:  # strings, integers, booleans and null are copied exactly
        assert type(real) is type(shown) and real == shown, (
            f"{where}: README shows {shown!r}, the command printed {real!r}")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, demo_dir: Path) -> Path:
    """A folder where the README's relative paths name the demo town and a ``boundary.shp``."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "boundary_data").mkdir()
    (folder / "boundary_data" / "demo").symlink_to(demo_dir, target_is_directory=True)
    proposal = read_layer(demo_dir / "proposals" / "good_industrial.gpkg", layer=PROPOSAL_LAYER)
    proposal[["name", "type", "geometry"]].to_file(folder / "boundary.shp", encoding="utf-8")
    (folder / "boundary.prj").unlink()
    return folder


def run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    program, *args = shlex.split(command)
    assert program == "sijie", f"README example does not run sijie: {command}"
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    return subprocess.run([str(SIJIE), *args], cwd=folder, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.command for e in EXAMPLES])
def test_readme_example_prints_what_the_readme_shows(example: Example, workdir: Path) -> None:
    result = run(example.command, workdir)
    assert "Traceback" not in result.stderr, result.stderr
    if example.expected.lstrip().startswith(("{", "[")):
        assert_matches(shown_json(example.expected),
                       json.loads(result.stdout, parse_float=Decimal))
    else:
        printed = (result.stdout + result.stderr).strip("\n").splitlines()
        assert [line.rstrip() for line in printed] == [
            line.rstrip() for line in example.expected.strip("\n").splitlines()]


def test_readme_examples_are_all_found_and_every_block_is_checked() -> None:
    blocks = fenced_blocks(README.read_text(encoding="utf-8"))
    assert {kind for kind, _ in blocks} <= KINDS, "a README block that no test reads"
    consoles = [body for kind, body in blocks if kind == "console"]
    assert consoles and all(body.startswith("$ sijie ") for body in consoles)
    assert len(EXAMPLES) == sum(body.count("\n$ ") + 1 for body in consoles) >= 3


def test_readme_opens_with_make_demo_and_make_test() -> None:
    kind, body = fenced_blocks(README.read_text(encoding="utf-8"))[0]
    assert kind == "sh"
    assert [line.split("#")[0].strip() for line in body.splitlines()] == ["make demo", "make test"]


def _leaves(table: dict[str, Any], prefix: tuple[str, ...] = ()):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def test_readme_rules_file_is_accepted_with_every_value_it_sets(tmp_path: Path) -> None:
    (body,) = [body for kind, body in fenced_blocks(README.read_text(encoding="utf-8"))
               if kind == "toml"]
    path = tmp_path / "bureau.toml"
    path.write_text(body, encoding="utf-8")
    effective = load_rules(path).model_dump(mode="json")
    for keys, value in _leaves(tomllib.loads(body)):
        got = effective
        for key in keys:
            got = got[key]
        assert got == value, ".".join(keys)
