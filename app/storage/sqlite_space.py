"""Giving disk space back after deletes, on SQLite (PostgreSQL's autovacuum does this itself).

SQLite keeps the pages a delete frees inside the file: a history that once held large tasks
would keep its size for ever. With `auto_vacuum=INCREMENTAL` the free pages can be handed back
to the file system (`PRAGMA incremental_vacuum`), and a WAL checkpoint with TRUNCATE empties
the write-ahead log, so a delete makes both files smaller. A database made before this setting
is vacuumed once at start to take it on.
"""

from sqlalchemy.engine import Engine

INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


def enable_incremental_vacuum(engine: Engine) -> None:
    """At start: make sure freed pages can be given back (one VACUUM for an older file)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        if cursor.execute("PRAGMA auto_vacuum").fetchone()[0] != INCREMENTAL:
            cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
            cursor.execute("VACUUM")  # outside a transaction: the raw connection has none open
        cursor.close()
    finally:
        raw.close()


def give_space_back(engine: Engine) -> None:
    """After a delete: free pages back to the file system, and the WAL emptied."""
    raw = engine.raw_connection()
    try:
        sqlite = raw.driver_connection
        # executescript steps the pragma to its end; execute() would free one page per call.
        sqlite.executescript("PRAGMA incremental_vacuum;")  # type: ignore[union-attr]
        sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # type: ignore[union-attr]
    finally:
        raw.close()
