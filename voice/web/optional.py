"""The parts of voice that are optional to the web app: the report, search and
themes packages. A page whose package is missing (or lacks the functions it
needs) says so instead of failing."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from types import ModuleType

log = logging.getLogger(__name__)

NEEDS = {
    "report": ("report_data", "css", "render"),
    "search": ("search",),
    "themes": ("list_themes", "theme_examples"),
}


@dataclass
class Missing:
    package: str
    reason: str

    @property
    def message(self) -> str:
        return f"voice.{self.package} is not available yet ({self.reason})."


def load(package: str) -> ModuleType | Missing:
    """``voice.<package>`` when it imports and has what the pages call, else why not."""
    try:
        module = importlib.import_module(f"voice.{package}")
    except ImportError as exc:
        return Missing(package, f"cannot import it: {exc}")
    except Exception as exc:  # noqa: BLE001 - a package half-written by its authors must not take the app down
        log.warning("voice.%s failed to import: %r", package, exc)
        return Missing(package, f"it failed to import: {exc.__class__.__name__}: {exc}")
    lacking = [name for name in NEEDS.get(package, ()) if not hasattr(module, name)]
    if lacking:
        return Missing(package, "it has no " + ", ".join(lacking))
    return module
