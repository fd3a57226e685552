"""`runway-console token create|list|set|reissue|revoke|reactivate`: members from the shell.

It opens the same database the server uses (the same Settings: data dir or
CONSOLE_DATABASE_URL), so a token made here works at once on a running console.
"""

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from app.core.settings import Settings
from app.storage.database import Database
from app.storage.task_store import TaskStore
from app.team.edits import Limits, MemberEdits, parse_limit
from app.team.members import Member, MemberError, Members
from app.team.usage import Usage


def add_token_parser(commands: argparse._SubParsersAction) -> None:
    token = commands.add_parser("token", help="create, list, change or revoke member tokens")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a member token (printed once, last line)")
    create.add_argument("name")
    _limit_options(create)
    actions.add_parser("list", help="members with their use today")
    change = actions.add_parser("set", help="change a member's limits or name (history stays)")
    change.add_argument("name")
    _limit_options(change)
    change.add_argument("--rename", metavar="NEW_NAME", help="a new name for the member")
    for action, text in (
        ("reissue", "a new token for a member (printed once); the old one stops at once"),
        ("revoke", "revoke a member's token at once"),
        ("reactivate", "let a revoked member's token work again"),
    ):
        actions.add_parser(action, help=text).add_argument("name")


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--daily-credits", metavar="N", help="daily credit budget; 'none' for no limit"
    )
    parser.add_argument("--max-running", metavar="N", help="tasks at once; 'none' for no limit")


def _limit(text: str | None, field: str) -> int | None:
    return parse_limit(None if text is None or text.lower() == "none" else text, field)


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url == "":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    storage = Database(settings.resolved_database_url)
    try:
        await storage.migrate()
        members, usage = Members(storage), Usage(storage)
        await _act(args, MemberEdits(members, TaskStore(storage)), usage)
    except MemberError as exc:
        print(f"runway-console token: {exc}", file=sys.stderr)
        return 1
    finally:
        await storage.close()
    return 0


async def _act(args: argparse.Namespace, edits: MemberEdits, usage: Usage) -> None:
    members = edits.members
    if args.action == "create":
        budget = _limit(args.daily_credits, "--daily-credits")
        member, token = await members.create(
            args.name, budget, _limit(args.max_running, "--max-running")
        )
        print(f"Member {member.name} created ({_budget(member)} daily credit budget).")
        _print_token(token)
    elif args.action == "set":
        await _set(args, edits)
    elif args.action == "reissue":
        member, token = await edits.reissue(args.name)
        print(f"Member {member.name} has a new token; the old one no longer works.")
        _print_token(token)
    elif args.action == "revoke":
        member = await members.revoke(args.name)
        print(f"Member {member.name} revoked at {_when(member.revoked_at)}.")
    elif args.action == "reactivate":
        member = await edits.reactivate(args.name)
        print(f"Member {member.name} is active again.")
    else:
        await _print_list(members, usage)


async def _set(args: argparse.Namespace, edits: MemberEdits) -> None:
    """Only the options given change: `set alice --daily-credits 500` keeps her tasks at once."""
    member = await edits.found(args.name)
    if args.daily_credits is not None or args.max_running is not None:
        limits = Limits(
            member.daily_credits
            if args.daily_credits is None
            else _limit(args.daily_credits, "--daily-credits"),
            member.max_running
            if args.max_running is None
            else _limit(args.max_running, "--max-running"),
        )
        member = await edits.set_limits(args.name, limits)
    if args.rename:
        member = await edits.rename(args.name, args.rename)
    running = member.max_running if member.max_running is not None else "no limit"
    print(f"Member {member.name}: {_budget(member)} daily credit budget, {running} tasks at once.")


def _budget(member: Member) -> str:
    return str(member.daily_credits) if member.daily_credits is not None else "no"


def _print_token(token: str) -> None:
    print("The token is shown this once; give it to the member:")
    print(token)


async def _print_list(members: Members, usage: Usage) -> None:
    rows = [("NAME", "CREATED", "LAST USED", "TODAY", "BUDGET", "AT ONCE", "STATE")]
    for member in await members.list():
        budget = str(member.daily_credits) if member.daily_credits is not None else "-"
        running = str(member.max_running) if member.max_running is not None else "-"
        state = "revoked" if member.revoked_at else "active"
        today = str(await usage.today(member.name))
        created, used = _when(member.created_at), _when(member.last_used_at)
        rows.append((member.name, created, used, today, budget, running, state))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def run_token_command(args: argparse.Namespace, settings: Settings) -> None:
    sys.exit(asyncio.run(_run(args, settings)))
