"""The import contracts in pyproject.toml (`make lint` runs `lint-imports`) hold today and
break on the faults they exist for. Each test runs lint-imports on a copy of the apps in a
temporary folder, never in the repository tree."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["um_portal", "criteria", "cases", "reviews", "automation", "notifications", "pas", "tools"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def project(tmp_path) -> Path:
    """The contracts and every Python file of the apps, copied as they are."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "*.html", "*.txt"))
    return tmp_path


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=where, capture_output=True, text=True, timeout=120
    )


def test_the_apps_keep_every_contract(project):
    result = lint_imports(project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_contract(project):
    # Given a domain module of cases that imports the app above it
    (project / "cases" / "services" / "upward_probe.py").write_text("from reviews.models import Decision  # noqa\n")

    result = lint_imports(project)

    assert result.returncode != 0
    assert "cases is not allowed to import reviews" in result.stdout
    assert "cases.services.upward_probe -> reviews.models" in result.stdout


def test_a_lower_app_importing_the_top_one_through_a_function_breaks_it_too(project):
    # An import hidden inside a function is still an upward dependency.
    (project / "criteria" / "upward_probe.py").write_text(
        "def later():\n    from notifications.tasks import letters_sweep\n\n    return letters_sweep\n"
    )

    result = lint_imports(project)

    assert result.returncode != 0
    assert "criteria.upward_probe -> notifications.tasks" in result.stdout


def test_another_apps_private_name_breaks_the_private_names_contract(project):
    (project / "reviews" / "private_probe.py").write_text("from um_portal.lockout import _private_probe  # noqa\n")
    (project / "um_portal" / "lockout.py").write_text(
        (project / "um_portal" / "lockout.py").read_text() + "\n\ndef _private_probe():\n    return None\n"
    )

    result = lint_imports(project)

    assert result.returncode != 0
    assert "reviews.private_probe imports the private name um_portal.lockout._private_probe" in result.stdout


def test_a_cycle_inside_an_app_breaks_the_acyclic_contract(project):
    # criteria.models imports nothing of criteria.selectors today; make the two depend on each other.
    (project / "criteria" / "models.py").write_text(
        (project / "criteria" / "models.py").read_text() + "\n\ndef _probe():\n    from . import selectors  # noqa\n"
    )

    result = lint_imports(project)

    assert result.returncode != 0
    assert "No cycles are allowed in criteria" in result.stdout
