"""SQLite's fast path for a domain's INSERT statements (`Database.insert`): each statement
compiled once for its columns and run on the driver's cursor.

SQLAlchemy's execution around two small inserts (a task and its first event) took 0.26 ms of a
create, against 0.04 for SQLite's own work (bench/README.md, issue 28). What SQLAlchemy would
do on the way is kept: each value goes through its column type's bind processor, and a driver
error comes back as SQLAlchemy's (an IntegrityError for a taken id), wherever it is raised.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Insert, exc
from sqlalchemy.engine import Dialect

Rows = Sequence[dict[str, Any]]  # for one INSERT statement, each a dict of its columns' values
Batches = Sequence[tuple[Insert, Rows]]


class CompiledInserts:
    """The compiled SQL, parameter order and value processors per (statement, columns), kept
    for the life of one database (a dict of a few entries: one per statement and row shape)."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._compiled: dict[tuple[Insert, tuple[str, ...]], _Compiled] = {}

    def plain(self, statement: Insert, rows: Rows) -> bool:
        """Whether every row names exactly the columns the compiled statement binds (a row
        leaving out a column the table fills by default needs SQLAlchemy to fill it)."""
        names = self._for(statement, tuple(rows[0])).names
        return len(names) == len(rows[0]) and all(row.keys() == rows[0].keys() for row in rows)

    def run(self, raw: Any, batches: Batches) -> None:
        """Insert every batch on `raw` (a DBAPI connection) in one transaction."""
        dbapi_error = self._dialect.loaded_dbapi.Error
        sql, values = "", []
        try:
            cursor = raw.cursor()
            for statement, rows in batches:
                compiled = self._for(statement, tuple(rows[0]))
                sql, values = compiled.sql, [compiled.values(row) for row in rows]
                cursor.executemany(sql, values)
            raw.commit()  # in WAL mode, disk and lock errors show here
        except dbapi_error as error:
            raw.rollback()
            raise exc.DBAPIError.instance(
                sql, values, error, dbapi_error, dialect=self._dialect, ismulti=True
            ) from error
        except BaseException:
            raw.rollback()
            raise

    def _for(self, statement: Insert, columns: tuple[str, ...]) -> "_Compiled":
        key = (statement, columns)
        if key not in self._compiled:
            compiled = statement.compile(dialect=self._dialect, column_keys=list(columns))
            names = list(compiled.positiontup or [])
            processors = compiled._bind_processors  # each column type's, as SQLAlchemy applies
            self._compiled[key] = _Compiled(str(compiled), names, processors)
        return self._compiled[key]


class _Compiled:
    def __init__(
        self, sql: str, names: list[str], processors: dict[str, Callable[[Any], Any]]
    ) -> None:
        self.sql = sql
        self.names = names
        self._steps = [(name, processors.get(name)) for name in names]

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            row[name] if process is None or row[name] is None else process(row[name])
            for name, process in self._steps
        )
