"""History rows: a side-by-side group is one row that opens its grid, not one row per run."""

from dataclasses import dataclass

from app.storage.task_record import TaskRecord


@dataclass
class GroupRow:
    """The runs of one group that a history page shows, newest first as the page is."""

    group_id: str
    tasks: list[TaskRecord]

    @property
    def first(self) -> TaskRecord:
        """The first run started: its frames and prompt stand for the group."""
        return min(self.tasks, key=lambda t: t.created_at)

    @property
    def created_at(self) -> float:
        return self.first.created_at

    def statuses(self) -> list[tuple[str, int]]:
        """Each status with how many runs have it, in the order they first appear."""
        counts: dict[str, int] = {}
        for task in sorted(self.tasks, key=lambda t: t.created_at):
            counts[task.status] = counts.get(task.status, 0) + 1
        return list(counts.items())


def fold_groups(records: list[TaskRecord]) -> list[TaskRecord | GroupRow]:
    """One entry per lone task and per group, at the place of the group's newest run."""
    rows: list[TaskRecord | GroupRow] = []
    groups: dict[str, GroupRow] = {}
    for record in records:
        if not record.group_id:
            rows.append(record)
        elif record.group_id in groups:
            groups[record.group_id].tasks.append(record)
        else:
            groups[record.group_id] = GroupRow(record.group_id, [record])
            rows.append(groups[record.group_id])
    return rows
