"""Readers: turn source files into normalized records.

One module per source kind: :mod:`.email` (.eml, .mbox), :mod:`.transcripts`
(speaker-labelled text, WebVTT, SRT, speech-to-text JSON), :mod:`.surveys`
(CSV, XLSX) and :mod:`.customers` (CRM exports). :func:`read_paths` walks files
and folders and yields each record, or the :class:`~voice.errors.InputError`
that kept it out, with the file it came from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import FileTooLarge, InputError, MalformedRecord, UnknownFormat, UnreadableFile
from ..records import Customer, Interaction, TableColumns
from . import customers, email, surveys, transcripts  # noqa: F401  (registers the readers)
from ._base import ReadOptions, Reader, registered

__all__ = ["ReadOptions", "Reader", "iter_files", "read_paths", "reader_for"]

# Files a folder walk passes over without complaint.
SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
SKIP_SUFFIXES = {".md", ".yaml", ".yml", ".toml"}


# With --channel, a file whose suffix no reader of that channel knows (a Maildir
# message has none) is read by the channel's plainest reader.
CHANNEL_DEFAULTS = {"email": "email.eml.v1", "call": "call.text.v1", "survey": "survey.csv.v1",
                    "customers": "customers.csv.v1"}
CHANNEL_ALIASES = {"emails": "email", "mail": "email", "calls": "call", "transcript": "call",
                   "transcripts": "call", "surveys": "survey", "customer": "customers", "crm": "customers"}


def reader_for(path: Path, channel: str | None = None) -> Reader:
    """The reader for a file, by channel (when given) and suffix.

    ``channel`` picks among readers of the same suffix (a ``.csv`` is a survey
    for ``ingest`` and a customer table for ``customers import``), and reads a
    file with an unknown suffix as that channel's plainest format.
    """
    suffix = path.suffix.lower()
    readers = registered()
    if channel is not None:
        channel = CHANNEL_ALIASES.get(channel.lower(), channel.lower())
        if channel not in CHANNEL_DEFAULTS:
            raise UnknownFormat(f"there is no channel {channel!r}.", source=str(path),
                                fix=f"use one of {', '.join(c for c in CHANNEL_DEFAULTS if c != 'customers')}.")
        candidates = [r for r in readers.values() if r.channel == channel and suffix in r.suffixes]
        return candidates[0] if candidates else readers[CHANNEL_DEFAULTS[channel]]
    candidates = [r for r in readers.values() if suffix in r.suffixes and r.channel != "customers"]
    if not candidates:
        known = sorted({s for r in readers.values() if r.channel != "customers" for s in r.suffixes})
        raise UnknownFormat(
            f"no reader handles files ending in {suffix or '(no suffix)'!r}.",
            source=str(path),
            fix=f"export it as one of {', '.join(known)}; or pass --channel to say what it is.",
        )
    return candidates[0]


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """Every file under the given files and folders, in a stable (sorted) order, and an
    :class:`~voice.errors.UnreadableFile` for each folder that could not be listed.

    Streams: a folder is walked one directory at a time, so memory holds one
    directory's names, not the whole tree's paths.
    """
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            yield path
            continue
        def refused(exc: OSError) -> None:
            problems.append(UnreadableFile(f"cannot list this folder ({exc.strerror or exc}); its files were not read.",
                                           source=exc.filename or str(path),
                                           fix="give the user running voice permission to read it, or move the files out."))

        problems: list[InputError] = []
        for folder, dirs, names in os.walk(path, onerror=refused):
            yield from problems
            problems.clear()
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not _skipped(name):
                    yield Path(folder, name)
        yield from problems


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIP_NAMES or os.path.splitext(name)[1].lower() in SKIP_SUFFIXES


def read_paths(
    paths: Iterable[str | Path],
    options: ReadOptions | None = None,
    *,
    channel: str | None = None,
    columns: bool = False,
) -> Iterator[tuple[Path, Interaction | Customer | InputError | TableColumns]]:
    """Yield (file, record-or-error) for every record in every file.

    A file no reader can open yields one error for the whole file; the walk goes on. ``columns``: also
    yield what a table reader made of each table's columns (:class:`~voice.records.TableColumns`).
    """
    options = options or ReadOptions()
    for path in iter_files(paths):
        if isinstance(path, InputError):  # a folder that could not be listed
            yield Path(path.source or "."), path
            continue
        done = 0
        reader = None
        try:
            reader = reader_for(path, channel)
            for item in reader.read(path, options):
                if isinstance(item, TableColumns):
                    if columns:
                        yield path, item
                    continue
                yield path, item
                done += 1
        except InputError as exc:
            if exc.source is None:
                exc.source = str(path)
            yield path, exc
        except RecursionError:
            yield path, MalformedRecord(
                "the file nests too deeply to read (MIME parts, attached messages or JSON brackets inside one "
                "another thousands of times).", source=str(path), position=_after(done),
                fix="export it again from the source system; a real message or transcript never nests this deep.")
        except MemoryError:
            yield path, FileTooLarge("reading the file ran out of memory.", source=str(path), position=_after(done),
                                     fix="split it into smaller files, or lower --max-mb to refuse such files early.")
        except Exception as exc:  # noqa: BLE001 - one file must never stop the run; it is quarantined instead
            what = reader.name if reader is not None else "the"
            yield path, MalformedRecord(
                f"the {what} reader failed on this file ({type(exc).__name__}: {str(exc)[:200]}).",
                source=str(path), position=_after(done),
                fix="check that the file is what its name says (open it, or export it again); if it is, report "
                    "this with the file — it is quarantined and the run went on.")


def _after(done: int) -> str | None:
    return f"after record {done}" if done else None
