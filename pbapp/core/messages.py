"""Sentences the core writes for people, in English, with a code and facts so a front end can translate them.

The core stays free of any translation machinery: a `Message` IS its English text (a `str`), so the
command line, JSON output and logs use it as it is, while the web layer looks its `code` up in a
catalogue of translated sentences and fills in `params`.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """English text carrying `code` and `params` (already formatted for people: "£1,200", "3")."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, **params: Any) -> Message:
        message = super().__new__(cls, text)
        message.code = code
        message.params = params
        return message

    def __getnewargs__(self) -> tuple[str, str]:
        return self.code, str(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the code and params, for storing beside the English text."""
        return {"code": self.code, "params": dict(self.params)}
