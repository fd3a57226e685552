"""Table definitions (the migration step that runs at start is app/storage/migrations.py).

Column types follow the values' real ranges, which PostgreSQL enforces and SQLite does not:
the seed is a uint32 (BIGINT), sizes and counters are BIGINT, and strings that come from an
upstream (task ids, statuses, failure codes) are TEXT, since a relay may send any length.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

tasks_table = Table(
    "tasks",
    metadata,
    Column("id", Text, primary_key=True),
    Column("owner", String(80), nullable=False),
    Column("base_url", Text, nullable=False),
    Column("key_mask", String(40), nullable=False, default=""),
    Column("model", Text, nullable=False),
    Column("prompt_text", Text, nullable=False, default=""),
    Column("ratio", Text, nullable=False),
    Column("duration", Integer, nullable=False),
    Column("seed", BigInteger),
    Column("request_json", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("progress", Float),
    Column("output_json", Text, nullable=False, default="[]"),
    Column("failure", Text),
    Column("failure_code", Text),
    Column("last_error", Text),
    Column("exchanges_json", Text, nullable=False, default="[]"),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("last_checked_at", Float),
    Column("video_path", Text),
    Column("video_bytes", BigInteger),
    Column("video_error", Text),
    Column("video_attempts", Integer, nullable=False, default=0),
    Column("group_id", String(64)),
    # The video copy's lease: which replica copies it, and until when (see media.VideoSaver).
    Column("video_holder", Text),
    Column("video_lease_until", Float),
    # The upstream's id when the console gave the task its own (tasks.console_task_id).
    Column("upstream_id", Text),
    # The create endpoint the task was made at (app/catalog/endpoints.py).
    Column("endpoint", Text, nullable=False, server_default="image_to_video"),
    # Credits as the upstream reported them: `estimatedCost` (create, unfinished) and the
    # final `cost` (0 for a refund); null where it reported none (app/runway/answers.py).
    Column("estimated_credits", BigInteger),
    Column("cost_credits", BigInteger),
    Index("ix_tasks_owner_created", "owner", "created_at"),
    Index("ix_tasks_group", "group_id"),
)

task_events_table = Table(
    "task_events",
    metadata,
    # SQLite's rowid alias must be spelt INTEGER; it is 64-bit there anyway.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column(
        "task_id",
        Text,
        ForeignKey("tasks.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", Float, nullable=False),
    Column("status", Text, nullable=False),
    Column("progress", Float),
)

task_frames_table = Table(
    "task_frames",
    metadata,
    Column("task_id", Text, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("sha256", String(64), primary_key=True, index=True),
)

# Who may use a stored frame (issue 12): each scope that uploaded it, or sent it as data in a
# create. The same image from two keys is one frame with two owners. A new table: `create_all`
# adds it, and frames of tasks made before it count as their task owner's (app/frames/owners.py).
frame_owners_table = Table(
    "frame_owners",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("owner", String(80), primary_key=True),
)

# Bytes of frames each scope kept on one UTC day (app/frames/allowance.py). A table of its own,
# made by create_all on any database, so adding it needed no migration.
frame_bytes_table = Table(
    "frame_bytes",
    metadata,
    Column("owner", String(80), primary_key=True),
    Column("day", Integer, primary_key=True),  # days since 1970-01-01, UTC
    Column("bytes", BigInteger, nullable=False),
)

submissions_table = Table(
    "submissions",
    metadata,
    Column("owner", String(80), primary_key=True),
    Column("token", String(100), primary_key=True),
    Column("task_id", Text),
    Column("created_at", Float, nullable=False),
)

# Login sessions (app/team/sessions.py). A new table needs no migration step: `create_all` adds it.
sessions_table = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    Column("password_tag", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("member", String(40), index=True),  # a member's session; NULL: the admin's
)

members_table = Table(
    "members",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_hint", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float),
    Column("daily_credits", Integer),
    Column("revoked_at", Float),
    Column("max_running", Integer),  # tasks at once; NULL: no limit of the console's own
)

# Creates refused a member before they were sent (reason: budget, running), per UTC day.
member_refusals_table = Table(
    "member_refusals",
    metadata,
    Column("member", String(40), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("reason", String(20), primary_key=True),
    Column("count", Integer, nullable=False),
)

# One row per task a member started (keyed `hold:<uuid>` while its create is on the wire):
# the credits it counts against the member's day, the estimate at first, the upstream's final
# cost once the task ends. No foreign key to tasks: deleting a task does not refund it.
charges_table = Table(
    "member_charges",
    metadata,
    Column("task_id", Text, primary_key=True),  # a relay's ids may be longer than Runway's
    Column("member", String(40), nullable=False),
    Column("day", String(10), nullable=False),
    Column("endpoint", String(40), nullable=False),
    Column("estimated", Integer, nullable=False),
    Column("credits", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("settled_at", Float),
    Index("ix_member_charges_member_day", "member", "day"),
)

# The demo page's share links and sessions. New tables need no migration step: create_all adds
# a missing table to an existing database.
shares_table = Table(
    "shares",
    metadata,
    Column("id", String(40), primary_key=True),  # the link carries it with an HMAC of it
    Column("task_id", Text, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("owner", String(80), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float),
    Index("ix_shares_task", "task_id"),
)

demo_sessions_table = Table(
    "demo_sessions",
    metadata,
    Column("owner", String(80), primary_key=True),
    Column("cleared_at", Float, nullable=False, default=0.0),
    Column("spend_day", String(10), nullable=False, default=""),
    Column("spent_credits", Integer, nullable=False, default=0),
    Column("last_form", String(100), nullable=False, default=""),  # the last form counted
)

# The demo's daily caps shared by every session (app/demo/pools.py): one row for the whole
# console, one per client address (an HMAC of it), each with its UTC day and what it spent.
demo_pools_table = Table(
    "demo_pools",
    metadata,
    Column("pool", String(80), primary_key=True),
    Column("spend_day", String(10), nullable=False, default=""),
    Column("spent_credits", BigInteger, nullable=False, default=0),
)

# notify_hook receivers (app/callbacks/hooks.py): the per-task token a relay's callback must
# name, and every delivery that named it. New tables need no migration step: `create_all` adds them.
task_hooks_table = Table(
    "task_hooks",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("task_id", Text, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("url", Text, nullable=False),
)

hook_deliveries_table = Table(
    "hook_deliveries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("task_id", Text, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("status", Text),  # the status the body claimed, when it was a task object
    Column("headers_json", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("after_end_s", Float),  # how long after the console saw the task end
)

schema_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))
