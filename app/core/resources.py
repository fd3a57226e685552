"""Where templates and static files live, installed or from a checkout.

The wheel carries them inside the package (`app/_resources/`); a source checkout keeps them at
the top level. Looking in both means the app works whatever the working directory is.
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """Return the folder `templates` or `static`, preferring the installed copy."""
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name!r} folder next to {_PACKAGE_DIR}")
