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
    """Every module stays small enough to hold one job, and every package says what it owns."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "app").rglob("*.py")
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
