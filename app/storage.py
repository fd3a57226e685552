"""Task history in SQL through SQLAlchemy 2 async Core: SQLite (WAL) by default, PostgreSQL-ready.

Only portable SQL is used. The refresh coalescing is a compare-and-set on `last_checked_at`,
so however many browsers (or processes) watch a task, one of them asks upstream per interval.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    event,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SCHEMA_VERSION = 1
FINAL_STATUSES = ("SUCCEEDED", "FAILED", "CANCELLED")
MAX_EXCHANGES = 40

metadata = MetaData()

tasks_table = Table(
    "tasks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner", String(80), nullable=False, index=True),
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
    Column("created_at", Float, nullable=False, index=True),
    Column("updated_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("last_checked_at", Float),
)

schema_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))


@dataclass
class TaskRecord:
    """A task as the console keeps it; `request` has frames as `frame:<sha256>` references."""

    id: str
    owner: str
    base_url: str
    key_mask: str
    model: str
    prompt_text: str
    ratio: str
    duration: int
    seed: int | None
    request: dict[str, Any]
    status: str
    progress: float | None = None
    output: list[str] = field(default_factory=list)
    failure: str | None = None
    failure_code: str | None = None
    last_error: str | None = None
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    last_checked_at: float | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def to_row(self) -> dict[str, Any]:
        row = {
            k: v for k, v in self.__dict__.items() if k not in ("request", "output", "exchanges")
        }
        row["request_json"] = json.dumps(self.request)
        row["output_json"] = json.dumps(self.output)
        row["exchanges_json"] = json.dumps(self.exchanges[-MAX_EXCHANGES:])
        return row

    @classmethod
    def from_row(cls, row: Any) -> "TaskRecord":
        data = dict(row._mapping)
        data["request"] = json.loads(data.pop("request_json"))
        data["output"] = json.loads(data.pop("output_json"))
        data["exchanges"] = json.loads(data.pop("exchanges_json"))
        return cls(**data)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Storage:
    """The one owner of the database: schema, reads and writes of task records."""

    def __init__(self, url: str) -> None:
        self.engine: AsyncEngine = create_async_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    async def migrate(self) -> None:
        """Create the schema, or check the stored version matches what this code reads."""
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            version = (await conn.execute(select(schema_table.c.version))).scalar()
            if version is None:
                await conn.execute(insert(schema_table).values(version=SCHEMA_VERSION))
            elif version > SCHEMA_VERSION:
                raise RuntimeError(f"database schema {version} is newer than this console")

    async def close(self) -> None:
        await self.engine.dispose()

    async def add(self, record: TaskRecord) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(insert(tasks_table).values(**record.to_row()))

    async def save(self, record: TaskRecord) -> None:
        row = record.to_row()
        row.pop("last_checked_at")
        async with self.engine.begin() as conn:
            await conn.execute(
                update(tasks_table).where(tasks_table.c.id == record.id).values(**row)
            )

    async def get(self, task_id: str, owner: str) -> TaskRecord | None:
        query = select(tasks_table).where(
            and_(tasks_table.c.id == task_id, tasks_table.c.owner == owner)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return TaskRecord.from_row(row) if row else None

    async def list(
        self, owner: str, limit: int = 50, status: str | None = None
    ) -> list[TaskRecord]:
        query = select(tasks_table).where(tasks_table.c.owner == owner)
        if status:
            query = query.where(tasks_table.c.status == status)
        query = query.order_by(tasks_table.c.created_at.desc()).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [TaskRecord.from_row(row) for row in rows]

    async def claim_refresh(self, task_id: str, now: float, interval_s: float) -> bool:
        """Compare-and-set: True for exactly one caller per interval for a task not yet final."""
        query = (
            update(tasks_table)
            .where(
                and_(
                    tasks_table.c.id == task_id,
                    tasks_table.c.status.not_in(FINAL_STATUSES),
                    or_(
                        tasks_table.c.last_checked_at.is_(None),
                        tasks_table.c.last_checked_at <= now - interval_s,
                    ),
                )
            )
            .values(last_checked_at=now)
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount == 1

    async def delete(self, task_id: str, owner: str) -> bool:
        query = delete(tasks_table).where(
            and_(tasks_table.c.id == task_id, tasks_table.c.owner == owner)
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount == 1
