"""`runway-console token create|list|revoke`: member tokens from the shell.

It opens the same database the server uses (the same Settings: data dir or
CONSOLE_DATABASE_URL), so a token made here works at once on a running console.
"""

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from app.core.settings import Settings
from app.storage.database import Storage
from app.team.members import MemberError, Members
from app.team.usage import Usage


def add_token_parser(commands: argparse._SubParsersAction) -> None:
    token = commands.add_parser("token", help="create, list or revoke member tokens")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a member token (printed once, last line)")
    create.add_argument("name")
    create.add_argument(
        "--daily-credits", type=int, default=None, help="daily credit budget (default: none)"
    )
    actions.add_parser("list", help="members with their use today")
    revoke = actions.add_parser("revoke", help="revoke a member's token at once")
    revoke.add_argument("name")


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url == "":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    storage = Storage(settings.resolved_database_url)
    try:
        await storage.migrate()
        members, usage = Members(storage), Usage(storage)
        if args.action == "create":
            member, token = await members.create(args.name, args.daily_credits)
            budget = member.daily_credits if member.daily_credits is not None else "no"
            print(f"Member {member.name} created ({budget} daily credit budget).")
            print("The token is shown this once; give it to the member:")
            print(token)
        elif args.action == "revoke":
            member = await members.revoke(args.name)
            print(f"Member {member.name} revoked at {_when(member.revoked_at)}.")
        else:
            await _print_list(members, usage)
    except MemberError as exc:
        print(f"runway-console token: {exc}", file=sys.stderr)
        return 1
    finally:
        await storage.close()
    return 0


async def _print_list(members: Members, usage: Usage) -> None:
    rows = [("NAME", "CREATED", "LAST USED", "TODAY", "BUDGET", "STATE")]
    for member in await members.list():
        budget = str(member.daily_credits) if member.daily_credits is not None else "-"
        state = "revoked" if member.revoked_at else "active"
        today = str(await usage.today(member.name))
        created, used = _when(member.created_at), _when(member.last_used_at)
        rows.append((member.name, created, used, today, budget, state))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def run_token_command(args: argparse.Namespace, settings: Settings) -> None:
    sys.exit(asyncio.run(_run(args, settings)))
