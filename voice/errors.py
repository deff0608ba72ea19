"""Typed errors. Each says what went wrong, where, and how to fix it.

Readers raise :class:`InputError` (or a subclass) for one bad file or row; the ingest
loop turns it into a quarantine entry and carries on with the rest of the run.
"""

from __future__ import annotations


class VoiceError(Exception):
    """Base class for every error voice raises on purpose."""

    def __init__(self, message: str, *, fix: str | None = None):
        self.message = message
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} Fix: {self.fix}" if self.fix else self.message


class InputError(VoiceError):
    """One input (a file, or one row/message inside it) cannot be used.

    ``source`` is the file path, ``position`` where inside it (``"row 12"``,
    ``"message 3"``, ``"line 40"``) or ``None`` for the whole file.
    """

    kind = "bad_input"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        position: str | None = None,
        fix: str | None = None,
        excerpt: str | None = None,
    ):
        self.source = source
        self.position = position
        self.excerpt = excerpt
        super().__init__(message, fix=fix)

    def __str__(self) -> str:
        from ._text import one_line  # a file name or position from the input stays on this line

        where = ""
        if self.source:
            where = one_line(str(self.source))
            if self.position:
                where += f" ({one_line(str(self.position))})"
            where += ": "
        text = f"{where}{self.message}"
        return f"{text} Fix: {self.fix}" if self.fix else text


class UnreadableFile(InputError):
    """The file cannot be opened or read at all (permissions, not a file, binary)."""

    kind = "unreadable"


class EmptyInput(InputError):
    """The file (or record) holds nothing to analyse."""

    kind = "empty"


class FileTooLarge(InputError):
    """The file is over the configured size limit."""

    kind = "too_large"


class EncodingProblem(InputError):
    """Text could not be decoded with any plausible encoding."""

    kind = "encoding"


class MalformedRecord(InputError):
    """The file parsed, but a message/row/segment in it is not well formed."""

    kind = "malformed"


class MissingColumns(InputError):
    """A table lacks columns the reader needs."""

    kind = "missing_columns"


class OutOfRange(InputError):
    """A value is outside its valid range (an NPS of 11, a CSAT of 0)."""

    kind = "out_of_range"


class BadDate(InputError):
    """A date or time that cannot be parsed."""

    kind = "bad_date"


class PartlyRead(InputError):
    """The record was stored, but a value in it could not be read and was left out (a lifetime value of
    "1e400", an address that is not one): reported, so that nothing is dropped without a word."""

    kind = "partly_read"


class DuplicateRecord(InputError):
    """The same customer (or identity) appears twice with conflicting data."""

    kind = "duplicate"


class UnknownFormat(InputError):
    """No reader handles this kind of file."""

    kind = "unknown_format"


class StoreError(VoiceError):
    """The database is missing, of a newer schema, or otherwise unusable."""


class ConfigError(VoiceError):
    """A configuration or mapping file is wrong."""


class NotFound(VoiceError, LookupError):
    """What was asked for (a customer, a product) is not in the database. Also a
    LookupError, for callers that only know the standard library."""
