"""The login limiter counts the real client: `X-Forwarded-For` only from the operator's proxies.

Run against live `runway-console serve` processes on 127.0.0.1, since the server's own handling
of the header (uvicorn believes it from 127.0.0.1 unless told otherwise) is what is tested.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from tests.conftest import FAST_ENV
from tests.helpers import free_port, live_process

PASSWORD = "correct horse battery staple"


@contextmanager
def locked_console(tmp_path: Path, **env: str) -> Iterator[httpx.Client]:
    port = free_port()
    full_env = {
        **FAST_ENV,
        "CONSOLE_DATA_DIR": str(tmp_path / "console"),
        "CONSOLE_PASSWORD": PASSWORD,
        **env,
    }
    log = tmp_path / "console.log"
    with (
        live_process(["serve", "--port", str(port)], full_env, port, log),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
    ):
        yield http


def bearer(http: httpx.Client, password: str, forwarded_for: str) -> int:
    headers = {"Authorization": f"Bearer {password}", "X-Forwarded-For": forwarded_for}
    return http.get("/api/tasks", headers=headers).status_code


def login(http: httpx.Client, password: str, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    page = BeautifulSoup(http.get("/login", headers=headers).text, "html.parser")
    form = {"password": password, "csrf_token": page.select_one("input[name=csrf_token]")["value"]}
    return http.post("/login", data=form, headers=headers).status_code


def test_a_rotating_forwarded_for_does_not_escape_the_limit(tmp_path: Path) -> None:
    with locked_console(tmp_path) as http:
        for i in range(3):
            assert login(http, "wrong", f"203.0.113.{i}") == 401
        for i in range(3, 5):
            assert bearer(http, "wrong", f"203.0.113.{i}") == 401
        assert bearer(http, PASSWORD, "203.0.113.99") == 429
        assert login(http, PASSWORD, "203.0.113.98") == 429


def test_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    with locked_console(tmp_path, CONSOLE_TRUSTED_PROXIES="127.0.0.1") as http:
        for _ in range(5):
            assert bearer(http, "wrong", "203.0.113.7") == 401
        assert bearer(http, PASSWORD, "203.0.113.7") == 429
        # one client's failures do not lock out the others behind the same proxy
        assert bearer(http, PASSWORD, "203.0.113.8") == 200
        assert login(http, PASSWORD, "203.0.113.9") == 303
