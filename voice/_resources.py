"""Where the files voice ships live: ``models/`` (trained heads, taxonomies, model cards), ``pipelines/``
(pipeline definitions) and ``examples/`` (the demo's data).

In a checkout they are the top-level folders (the editable sources). An installed wheel carries a copy
inside the package, ``voice/_bundled/`` (``setup.py`` copies them there when the wheel is built), so
``pip install`` / ``pipx install`` analyse anywhere.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
BUNDLED = PACKAGE / "_bundled"
SHIPPED = ("models", "pipelines", "examples")


def resource(*parts: str) -> Path:
    """The path of a shipped file or folder, ``resource("models", "sentiment")``: the checkout's when voice
    runs from one, else the copy in the installed package."""
    if parts[0] not in SHIPPED:
        raise ValueError(f"{parts[0]!r} is not shipped with voice (one of {', '.join(SHIPPED)})")
    here = CHECKOUT.joinpath(*parts)
    if (CHECKOUT / parts[0]).is_dir() and (CHECKOUT / "voice").resolve() == PACKAGE:
        return here
    return BUNDLED.joinpath(*parts)


def shipped_path(value: str | Path) -> Path | None:
    """A relative path a pipeline file names ("models/intents/default"), found among the shipped files;
    None when it does not start with a shipped folder or is not there."""
    parts = Path(value).parts
    if not parts or parts[0] not in SHIPPED:
        return None
    path = resource(*parts)
    return path if path.exists() else None
