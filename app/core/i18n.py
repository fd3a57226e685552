"""English and Simplified Chinese: English text is the key, `locales/zh-CN.json` its translation.

The language is chosen per request (a `lang` cookie set by the switch, else the browser's
Accept-Language) and held in a context variable, so messages made anywhere during the request
(validation errors, hints, refusals) come out in the person's language.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh-CN": "简体中文"}
DEFAULT = "en"
COOKIE = "lang"
_current: ContextVar[str] = ContextVar("language", default=DEFAULT)


@cache
def catalog(language: str) -> dict[str, str]:
    if language == DEFAULT:
        return {}
    return json.loads(
        (Path(__file__).parent.parent / "locales" / f"{language}.json").read_text("utf-8")
    )


def N_(text: str) -> str:
    """Marks a constant for translation where it is shown (gettext's N_); returns it as is."""
    return text


def gettext(text: str, **values: object) -> str:
    """`text` in the current language, with `{name}` fields filled from `values`."""
    translated = catalog(_current.get()).get(text, text)
    return translated.format(**values) if values else translated


def current_language() -> str:
    return _current.get()


@contextmanager
def language(code: str) -> Iterator[None]:
    token = _current.set(code if code in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def choose(cookie: str | None, accept_language: str) -> str:
    """The switch's choice if made, else the browser's first supported language."""
    if cookie in LANGUAGES:
        return cookie
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT
