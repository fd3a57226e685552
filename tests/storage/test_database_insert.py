"""`Database.insert`, the create's one write: on SQLite it runs compiled statements on the
driver's cursor, on PostgreSQL through SQLAlchemy; both must behave alike."""

import gc
import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.storage.database import Database
from app.storage.schema import task_events_table, tasks_table
from app.storage.task_statements import INSERT_EVENT, INSERT_FRAME, INSERT_TASK
from tests.storage.test_storage import record


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """SQLite and a real PostgreSQL."""
    database = Database(database_url)
    await database.migrate()
    yield database
    await database.close()


def _event(task_id: str) -> dict[str, object]:
    return {"task_id": task_id, "at": time.time(), "status": "PENDING", "progress": None}


async def _count(database: Database, table) -> int:  # type: ignore[no-untyped-def]
    def work(conn: Connection) -> int:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()

    return await database.run(work)


async def _task_row(database: Database, task_id: str) -> Any:
    return await database.run(
        lambda conn: conn.execute(select(tasks_table).where(tasks_table.c.id == task_id)).one()
    )


async def test_rows_of_several_statements_land_together(database: Database) -> None:
    frames = [{"task_id": "t1", "sha256": "a" * 64}, {"task_id": "t1", "sha256": "b" * 64}]
    await database.insert(
        [
            (INSERT_TASK, [record("t1").to_row()]),
            (INSERT_EVENT, [_event("t1")]),
            (INSERT_FRAME, frames),
            (INSERT_FRAME, []),  # nothing to insert: skipped
        ]
    )
    assert await _count(database, tasks_table) == 1
    assert await _count(database, task_events_table) == 1

    row = await _task_row(database, "t1")
    assert (row.prompt_text, row.duration) == ("waves", 5)


async def test_a_taken_id_is_sqlalchemys_integrity_error_and_nothing_lands(
    database: Database,
) -> None:
    """The recorder tells a taken id by SQLAlchemy's IntegrityError (app/tasks/recording.py),
    and a failed insert leaves none of its rows behind: the event before it is rolled back."""
    await database.insert([(INSERT_TASK, [record("t1").to_row()])])
    with pytest.raises(IntegrityError):
        await database.insert(
            [(INSERT_EVENT, [_event("t1")]), (INSERT_TASK, [record("t1").to_row()])]
        )
    assert await _count(database, task_events_table) == 0
    await database.insert([(INSERT_EVENT, [_event("t1")])])  # the connection is usable again
    assert await _count(database, task_events_table) == 1


async def test_a_row_leaving_out_a_defaulted_column_gets_the_default(database: Database) -> None:
    """A row without a column the table fills by default goes through SQLAlchemy, which fills
    it, rather than the compiled statement, which would bind nothing there."""
    row = record("t2").to_row()
    del row["key_mask"], row["video_attempts"]
    await database.insert([(INSERT_TASK, [row])])

    row = await _task_row(database, "t2")
    assert (row.key_mask, row.video_attempts) == ("", 0)


async def test_a_closed_database_is_not_kept_alive_by_its_compiled_inserts(
    tmp_path: Path,
) -> None:
    """The compiled statements are the database's own: a cache shared by the class kept up to
    64 closed databases (with their engines) alive in a test run."""
    database = Database(f"sqlite:///{tmp_path / 'gone.db'}")
    await database.migrate()
    await database.insert([(INSERT_TASK, [record("t1").to_row()])])
    await database.close()
    gone = weakref.ref(database)
    del database
    gc.collect()
    assert gone() is None
