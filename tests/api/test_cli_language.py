"""The command line speaks Chinese unless --lang en or the environment (LC_ALL, then LANG) asks
for English; --lang beats the environment, and --help follows the same choice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli_options import startup_lang
from geo.i18n import Lang

SIJIE = Path(sys.executable).with_name("sijie")


def sijie(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``sijie args`` with the locale variables set to ``environ`` only (none by default)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run([str(SIJIE), *args], capture_output=True, text=True, timeout=120,
                          env={**env, "COLUMNS": "200", **environ})


def test_help_is_chinese_by_default():
    result = sijie("validate", "--help", LANG="C.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "按四界清晰规则 B1–B10 校核申报边界" in result.stdout
    assert "表格与提示信息的语言" in result.stdout
    assert "Check a proposed boundary" not in result.stdout
    assert "─ 参数 " in result.stdout and "─ 选项 " in result.stdout and "[必填]" in result.stdout
    assert "Options" not in result.stdout


@pytest.mark.parametrize(("args", "environ"), [
    (("--lang", "en"), {"LANG": "C.UTF-8"}),
    (("--lang=en",), {}),
    ((), {"LANG": "en_US.UTF-8"}),
    ((), {"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}),
])
def test_help_is_english_when_asked(args, environ):
    result = sijie("validate", *args, "--help", **environ)
    assert result.returncode == 0, result.stderr
    assert "Check a proposed boundary against the 四界清晰 rules B1–B10" in result.stdout
    assert "Language of tables and messages." in result.stdout
    assert "─ Options " in result.stdout and "[required]" in result.stdout


def test_lang_option_beats_the_environment():
    result = sijie("validate", "--lang", "zh", "--help", LANG="en_US.UTF-8")
    assert "按四界清晰规则 B1–B10 校核申报边界" in result.stdout


def test_messages_follow_the_environment_unless_lang_is_given(tmp_path):
    missing = str(tmp_path / "nope.gpkg")
    english = sijie("info", f"{missing}:x", LANG="en_US.UTF-8")
    chinese = sijie("info", f"{missing}:x", "--lang", "zh", LANG="en_US.UTF-8")
    assert english.returncode == chinese.returncode == 2
    assert "file does not exist" in english.stderr
    assert "文件不存在" in chinese.stderr


@pytest.mark.parametrize(("argv", "environ", "lang"), [
    ([], {}, Lang.zh), ([], {"LANG": "C"}, Lang.zh), ([], {"LANG": "en_US.UTF-8"}, Lang.en),
    (["validate", "--lang", "zh"], {"LANG": "en_US.UTF-8"}, Lang.zh),
    (["validate", "--lang=en"], {"LC_ALL": "C"}, Lang.en),
])
def test_the_start_language_is_the_flag_then_lc_all_then_lang(argv, environ, lang):
    assert startup_lang(argv, environ) is lang
