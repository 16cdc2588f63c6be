"""Errors raised by the pure core; the web and CLI layers turn them into messages."""

from __future__ import annotations


class CoreError(ValueError):
    """A rule of the domain was broken by the input; the message is shown to the user."""


class InputError(CoreError):
    """Input data (a file, a ballot, a quota table) is malformed.

    `line` is the 1-based line number in the file when the input came from one, so the
    message can point the user at it.
    """

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None):
        self.line = line
        self.source = source
        where = ""
        if source and line:
            where = f"{source}, line {line}: "
        elif line:
            where = f"line {line}: "
        elif source:
            where = f"{source}: "
        super().__init__(where + message)
        self.message = message
