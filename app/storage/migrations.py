"""The migration step that runs at start.

Versioned explicitly: `MIGRATIONS[n]` takes a database from version n-1 to n, run in order
inside one transaction. A fresh database gets the newest schema from the table definitions
(app/storage/schema.py) and is stamped with the newest version. With PostgreSQL several
replicas may start at once, so the migration first takes a transaction-scoped advisory lock:
one replica migrates, the others wait and then find the work done.
"""

from collections.abc import Callable

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.engine import Connection

from app.storage.schema import metadata, schema_table

# PostgreSQL databases made by version 1 had 32-bit and length-limited columns where the
# values do not fit (SQLite's type affinities never enforced them, so it needs nothing).
WIDEN_V1_COLUMNS = {
    "tasks": {
        "id": "TEXT",
        "model": "TEXT",
        "ratio": "TEXT",
        "seed": "BIGINT",
        "status": "TEXT",
        "failure_code": "TEXT",
        "video_bytes": "BIGINT",
    },
    "task_events": {"id": "BIGINT", "task_id": "TEXT", "status": "TEXT"},
    "task_frames": {"task_id": "TEXT"},
    "submissions": {"task_id": "TEXT"},
}
MIGRATION_LOCK = 7_461_820_133  # any constant: the advisory lock's key for schema changes


def _widen_v1_columns(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table, columns in WIDEN_V1_COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {c} TYPE {t}" for c, t in columns.items())
        conn.exec_driver_sql(f"ALTER TABLE {table} {changes}")
    conn.exec_driver_sql("ALTER SEQUENCE IF EXISTS task_events_id_seq AS BIGINT")


def _add_video_lease(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN video_holder TEXT")
    conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN video_lease_until FLOAT")


def _add_upstream_id(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN upstream_id TEXT")


def _add_endpoint(conn: Connection) -> None:
    conn.exec_driver_sql(
        "ALTER TABLE tasks ADD COLUMN endpoint TEXT NOT NULL DEFAULT 'image_to_video'"
    )


def _add_credits(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN estimated_credits BIGINT")
    conn.exec_driver_sql("ALTER TABLE tasks ADD COLUMN cost_credits BIGINT")


def _add_member_roles(conn: Connection) -> None:
    """Members' sessions and their limit of tasks at once. The tables may be younger than the
    database (create_all just made them, columns and all): only what is missing is added."""
    present = inspect(conn)
    if "member" not in {column["name"] for column in present.get_columns("sessions")}:
        conn.exec_driver_sql("ALTER TABLE sessions ADD COLUMN member VARCHAR(40)")
        conn.exec_driver_sql("CREATE INDEX ix_sessions_member ON sessions (member)")
    if "max_running" not in {column["name"] for column in present.get_columns("members")}:
        conn.exec_driver_sql("ALTER TABLE members ADD COLUMN max_running INTEGER")


SCHEMA_VERSION = 7
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _widen_v1_columns,
    3: _add_video_lease,
    4: _add_upstream_id,
    5: _add_endpoint,
    6: _add_credits,
    7: _add_member_roles,
}


def migrate(conn: Connection) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before."""
    if conn.dialect.name == "postgresql":  # held until this transaction ends
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    elif conn.dialect.name == "sqlite":  # the write lock now, not at the first insert
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    metadata.create_all(conn)
    found = conn.execute(select(schema_table.c.version)).scalar()
    if found is None:
        conn.execute(insert(schema_table).values(version=SCHEMA_VERSION))
        return 0
    if found > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {found} is newer than this console ({SCHEMA_VERSION})")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](conn)
    conn.execute(update(schema_table).values(version=SCHEMA_VERSION))
    return found
