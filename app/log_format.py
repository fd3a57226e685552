"""How the console's log lines are written: uvicorn's text, or one JSON object a line.

`CONSOLE_LOG_FORMAT=json` is for an operator who ships logs: every line (uvicorn's, the access
log's and the console's own) is a JSON object with `time`, `level`, `logger` and `message`, and
the fields a task event carries (`task_id`, `member`, `upstream_status`, `duration_ms`: see
app/logs/task_events.py). A key is masked in a log line as everywhere else (`keys.mask_key`): every
secret the settings hold, any bearer token, anything shaped like a member token or a Runway
key, and the capability a URL carries (an access-log line's path), whatever the message.
uvicorn's plain text lines, the default, are masked by the same rule (`MaskingFilter`).
"""

import copy
import json
import logging
import logging.config
import re
import sys
from datetime import UTC, datetime
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from app.core.keys import mask_key
from app.core.settings import Settings
from app.runway.redaction import MIN_SECRET_CHARS
from app.team.members import TOKEN_PREFIX

FIELDS = ("task_id", "member", "status", "endpoint", "model", "upstream_status", "duration_ms")
KEY_SHAPES = re.compile(
    rf"(?i)(?<=bearer )[^\s\"',;]+|\b{TOKEN_PREFIX}[A-Za-z0-9_-]{{16,}}|\bkey_[A-Za-z0-9]{{16,}}"
    # The capabilities a URL carries, each opening something without a login: a callback's
    # token, a share link, a media or thumbnail token, a simulator output's signature.
    r"|(?<=/hooks/)[^\s/?#\"]+|(?<=/shared/)[^\s/?#\"]+|(?<=[?&]t=)[^&#\s\"]+"
    r"|(?<=[?&]sig=)[^&#\s\"]+"
)
QUIET = ("httpx", "httpcore")  # a line per HTTP request at INFO: the access log says enough


class Masker:
    """Masks every secret the settings hold and every key-shaped string in a text: the one rule
    for both log formats."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        # Longest first, so a secret that contains another is masked whole.
        held = [s for s in secrets or [] if len(s) >= MIN_SECRET_CHARS]
        self._secrets = sorted(held, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, mask_key(secret))
        return KEY_SHAPES.sub(lambda found: mask_key(found.group(0)), text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with every secret and key-shaped string masked."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self._masker = Masker(secrets)

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        line: dict[str, Any] = {
            "time": when.replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        masked = {name: self.mask(v) if isinstance(v, str) else v for name, v in line.items()}
        return json.dumps(masked, ensure_ascii=False, default=str)

    def mask(self, text: str) -> str:
        return self._masker.mask(text)


class MaskingFilter(logging.Filter):
    """Masks a plain-text record's message and string arguments in place. The arguments stay a
    tuple because uvicorn's access formatter unpacks them (client, method, path, …)."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self._masker = Masker(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self._masker.mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._mask_arg(arg) for arg in record.args)
        return True

    def _mask_arg(self, arg: object) -> object:
        return self._masker.mask(arg) if isinstance(arg, str) else arg


def text_logging(settings: Settings) -> dict[str, Any]:
    """uvicorn's own text configuration, with every handler's lines masked."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask": {"()": MaskingFilter, "secrets": settings.secret_values()}}
    for handler in config["handlers"].values():
        handler["filters"] = ["mask"]
    return config


def json_logging(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` of the JSON format: every logger through one handler."""
    through_root = {"handlers": [], "propagate": True, "level": "INFO"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "secrets": settings.secret_values()}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["json"], "level": "INFO"},
        "loggers": {
            "uvicorn": through_root,
            "uvicorn.error": through_root,
            "uvicorn.access": through_root,
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


def configure_logging(settings: Settings) -> dict[str, Any] | None:
    """Set up logging before anything is said; returns the `log_config` for `uvicorn.run`
    (None once done here, for uvicorn to leave alone)."""
    if settings.log_format != "json":
        return text_logging(settings)
    logging.config.dictConfig(json_logging(settings))
    logging.captureWarnings(True)  # a Python warning is a log line too, not a bare stderr one
    return None


def announce(settings: Settings, text: str, *, warning: bool = False) -> None:
    """A start-up note: printed as ever, or a JSON line, so a shipper sees nothing but JSON."""
    if settings.log_format == "json":
        logging.getLogger("app.cli").log(logging.WARNING if warning else logging.INFO, text)
    else:
        print(text, file=sys.stderr if warning else sys.stdout, flush=True)
