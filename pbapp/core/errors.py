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


class NotUtf8(ValueError):
    """Bytes that are not UTF-8 text: `line` (1-based) and `byte` are where decoding first failed."""

    def __init__(self, line: int, byte: int):
        self.line = line
        self.byte = byte
        super().__init__(f"line {line}: byte 0x{byte:02x} is not UTF-8")


def utf8_text(raw: bytes) -> str:
    """Decode an uploaded file as UTF-8, dropping a byte-order mark; raise NotUtf8 naming the first bad line.

    One place for this because spreadsheets often save "CSV" as Windows-1252, and every reader must
    refuse that by line rather than silently replace £ signs and accents.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(raw[: exc.start].count(b"\n") + 1, raw[exc.start]) from None
