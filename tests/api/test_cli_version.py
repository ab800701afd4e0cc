"""``sijie --version`` names the installed version; shell completion is offered."""

from __future__ import annotations

import subprocess
from importlib.metadata import version

from tests.api.test_cli import SIJIE


def test_version_is_the_installed_package_version():
    result = subprocess.run([str(SIJIE), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sijie {version('sijie')}"


def test_bash_completion_script_completes_sijie():
    result = subprocess.run([str(SIJIE), "--show-completion", "bash"], capture_output=True,
                            text=True, timeout=60, env={"PATH": str(SIJIE.parent)})
    assert result.returncode == 0, result.stderr
    assert "_sijie_completion" in result.stdout and "complete" in result.stdout
