"""The packages' layers are a tool's check, not prose: `lint-imports` reads the contracts in
pyproject.toml (the console's layers, and the simulator's independence) and fails on an import
that breaks one. docs/architecture.md draws the same picture."""

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def test_every_import_keeps_the_layers() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_is_a_grab_bag() -> None:
    """Every module stays small enough to hold one job, the page's own scripts and stylesheets
    too (static/vendor/ is others' code), and every package says what it owns."""
    ours = [*(ROOT / "app").rglob("*.py"), *(ROOT / "static").glob("*.js")]
    ours += (ROOT / "static").glob("*.css")
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in ours
        if (lines := len(path.read_text("utf-8").splitlines())) > 330
    }
    assert too_long == {}
    silent = [
        str(init.relative_to(ROOT))
        for init in (ROOT / "app").rglob("__init__.py")
        if not init.read_text("utf-8").lstrip().startswith('"""')
    ]
    assert silent == []
    top = [p.name for p in (ROOT / "app").glob("*.py")]
    assert len(top) <= 12, top


def test_every_test_file_sits_in_its_area() -> None:
    """Tests live in tests/<area>/ beside the app package they test, as packages (so `tests.x`
    imports hold); only shared fixtures and helpers sit at the top of tests/."""
    tests = ROOT / "tests"
    flat = sorted(p.name for p in tests.glob("test_*.py"))
    assert flat == [], f"move these into tests/<area>/ (see tests/README.md): {flat}"
    folders = {p.parent for p in tests.rglob("test_*.py") if "vendor" not in p.parts}
    not_packages = sorted(
        str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()
    )
    assert not_packages == []
