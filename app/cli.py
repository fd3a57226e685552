"""The `runway-console` command: `serve` (the default), `simulator` alone, or `token`."""

import argparse
import sys
from pathlib import Path

import uvicorn

from app.core.settings import Settings
from app.log_format import announce, configure_logging
from app.serving import behind_proxies, uvicorn_options
from app.team.token_cli import add_token_parser, run_token_command
from app.web.middleware.body_limit import BodyLimitMiddleware
from app.web.middleware.csrf import JsonOnlyMiddleware
from app.web.middleware.header_limit import HeaderLimitMiddleware


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runway-console", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    for name, port, text in (
        ("serve", 8000, "serve the console (the default)"),
        ("simulator", 8099, "serve the Runway simulator alone"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=port)
    add_token_parser(commands)
    parser.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8000, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = Settings()
    log_config = configure_logging(settings)
    if args.command == "token":
        run_token_command(args, settings)
        return
    if args.command == "simulator":
        from app.simulator.app import create_simulator_app
        from app.simulator.uploads import MAX_UPLOAD_BYTES

        root = Path(settings.data_dir) / "simulator"
        # A test tool on the tester's machine: it calls back to any http(s) notify_hook.
        simulator = create_simulator_app(root, speed=settings.simulator_speed, callback_prefix="")
        # Bodies bounded as the console bounds its own: an upload over the limit is refused
        # by its length before its form is parsed (or spooled to disk).
        bounded = BodyLimitMiddleware(JsonOnlyMiddleware(simulator), MAX_UPLOAD_BYTES)
        standalone = HeaderLimitMiddleware(bounded)
        announce(settings, f"Runway simulator on http://{args.host}:{args.port} (tasks in {root})")
        uvicorn.run(
            behind_proxies(standalone, settings.trusted_proxies),
            host=args.host,
            port=args.port,
            log_level="warning",
            log_config=log_config,
            **uvicorn_options(),
        )
        return
    problem = settings.startup_problem()
    if problem:
        sys.exit(f"runway-console: not starting. {problem}")
    from app.main import create_app

    warning = settings.exposure_warning(args.host)
    if warning:
        announce(settings, warning, warning=True)
    where = f"http://{args.host}:{args.port} (data in {settings.data_dir})"
    announce(settings, f"Runway Console on {where}")
    uvicorn.run(
        behind_proxies(create_app(settings), settings.trusted_proxies),
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=log_config,
        access_log=settings.access_log,
        **uvicorn_options(),
    )
