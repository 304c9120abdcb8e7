"""The layers hold: import-linter's contracts (pyproject.toml [tool.importlinter]) pass on the code,
and fail as soon as the core imports a channel.

The broken case runs the linter on a copy of the source with one import added, so the check is
the real contract on the real code, not a toy package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "supervision",
    "inspections",
    "followups",
    "complaints",
    "surveys",
    "servicedesk",
    "reports",
    "api",
    "benchmarks",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_source(to: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, to / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    return to


def test_the_code_keeps_every_import_contract(tmp_path):
    result = lint_imports(copy_source(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_core_module_importing_a_channel_breaks_the_contract(tmp_path):
    root = copy_source(tmp_path)
    retention = root / "supervision" / "retention.py"
    retention.write_text(retention.read_text() + "\nfrom complaints.models import Complaint  # noqa\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "supervision is not allowed to import complaints" in result.stdout


def test_a_channel_importing_reports_breaks_the_contract(tmp_path):
    root = copy_source(tmp_path)
    selectors = root / "surveys" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nimport reports.content  # noqa\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "surveys is not allowed to import reports" in result.stdout


def test_a_channel_importing_the_api_breaks_the_contract(tmp_path):
    root = copy_source(tmp_path)
    selectors = root / "followups" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nimport api.pushing  # noqa\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "followups is not allowed to import api" in result.stdout
