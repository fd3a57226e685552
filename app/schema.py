"""Table definitions and the migration step that runs at start.

Versioned explicitly: `MIGRATIONS[n]` holds the statements that take a database from version
n-1 to n, run in order inside one transaction. A fresh database gets the newest schema from the
table definitions and is stamped with the newest version. Only SQL that SQLite and PostgreSQL
both accept goes here.
"""

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

tasks_table = Table(
    "tasks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner", String(80), nullable=False),
    Column("base_url", Text, nullable=False),
    Column("key_mask", String(40), nullable=False, default=""),
    Column("model", String(40), nullable=False),
    Column("prompt_text", Text, nullable=False, default=""),
    Column("ratio", String(20), nullable=False),
    Column("duration", Integer, nullable=False),
    Column("seed", Integer),
    Column("request_json", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("progress", Float),
    Column("output_json", Text, nullable=False, default="[]"),
    Column("failure", Text),
    Column("failure_code", String(120)),
    Column("last_error", Text),
    Column("exchanges_json", Text, nullable=False, default="[]"),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("last_checked_at", Float),
    Column("video_path", Text),
    Column("video_bytes", Integer),
    Column("video_error", Text),
    Column("video_attempts", Integer, nullable=False, default=0),
    Column("group_id", String(64)),
    Index("ix_tasks_owner_created", "owner", "created_at"),
    Index("ix_tasks_group", "group_id"),
)

task_events_table = Table(
    "task_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "task_id",
        String(64),
        ForeignKey("tasks.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", Float, nullable=False),
    Column("status", String(20), nullable=False),
    Column("progress", Float),
)

task_frames_table = Table(
    "task_frames",
    metadata,
    Column("task_id", String(64), ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("sha256", String(64), primary_key=True, index=True),
)

submissions_table = Table(
    "submissions",
    metadata,
    Column("owner", String(80), primary_key=True),
    Column("token", String(100), primary_key=True),
    Column("task_id", String(64)),
    Column("created_at", Float, nullable=False),
)

# Login sessions (app/sessions.py). A new table needs no migration step: `create_all` adds it.
sessions_table = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    Column("password_tag", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

schema_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))

SCHEMA_VERSION = 1
MIGRATIONS: dict[int, list[str]] = {
    # 2: ["ALTER TABLE tasks ADD COLUMN example TEXT"],
}


def migrate(conn: Connection) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before."""
    metadata.create_all(conn)
    found = conn.execute(select(schema_table.c.version)).scalar()
    if found is None:
        conn.execute(insert(schema_table).values(version=SCHEMA_VERSION))
        return 0
    if found > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {found} is newer than this console ({SCHEMA_VERSION})")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[version]:
            conn.exec_driver_sql(statement)
    conn.execute(update(schema_table).values(version=SCHEMA_VERSION))
    return found
