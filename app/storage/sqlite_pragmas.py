"""How each SQLite connection is set up: WAL (readers never wait for the writer), foreign
keys, and `synchronous=NORMAL` (safe with WAL, far fewer fsyncs)."""

import sqlite3
import time
from typing import Any


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def switch_to_wal(cursor: Any, wait_s: float = 10.0) -> None:
    """Processes opening a new database at once (replicas starting together) each switch it
    to WAL; the switch needs the database alone, and SQLite answers 'database is locked' at
    once rather than through its busy timeout, so it is tried again for a while."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
