"""Where the console keeps its data, and what it says when it starts open to the network."""

from pathlib import Path

import pytest

from app.core.settings import Settings
from tests.helpers import free_port, live_process


def test_the_data_dir_defaults_to_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONSOLE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings(_env_file=None).data_dir == tmp_path / "xdg" / "runway-console"
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "mine"))
    assert Settings(_env_file=None).data_dir == tmp_path / "mine", "CONSOLE_DATA_DIR still wins"


def test_a_non_loopback_host_without_a_password_is_warned_about(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "console.log"
    env = {"CONSOLE_DATA_DIR": str(tmp_path / "data")}
    # Listening on every interface; the test itself only ever connects to 127.0.0.1.
    with live_process(["serve", "--host", "0.0.0.0", "--port", str(port)], env, port, log):
        pass
    said = log.read_text()
    assert "WARNING: listening on 0.0.0.0 with no password" in said
    assert "CONSOLE_PASSWORD" in said


def test_loopback_or_a_password_starts_quietly() -> None:
    assert Settings(_env_file=None).exposure_warning("127.0.0.1") is None
    assert Settings(_env_file=None, CONSOLE_PASSWORD="pw").exposure_warning("0.0.0.0") is None
