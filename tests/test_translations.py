"""The Welsh catalogue is complete: nothing untranslated or fuzzy, and every placeholder kept.

A Welsh string that drops or changes a %(name)s placeholder of its English msgid would show the
wrong text or raise a KeyError/TypeError when the page is formatted, so that fails here too.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "pbapp" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _catalog():
    with open(PO, "rb") as handle:
        return read_po(handle, locale="cy")


CATALOG = _catalog()
MESSAGES = [m for m in CATALOG if m.id]


def _label(message) -> str:
    return message.id[0] if message.pluralizable else message.id


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def _percent_signs(text: str) -> tuple[int, int]:
    """Counts of literal %% and of any other stray % left after removing placeholders."""
    rest = PLACEHOLDER.sub("", text)
    return rest.count("%%"), rest.replace("%%", "").count("%")


def _forms(message) -> list[str]:
    if message.pluralizable:
        return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]
    return [message.string]


def test_catalogue_has_messages():
    assert len(MESSAGES) > 100


def test_plural_forms_header_is_babels_welsh_rule():
    assert CATALOG.num_plurals == 5


def _untranslated(message) -> str | None:
    if message.fuzzy:
        return "fuzzy"
    forms = _forms(message)
    if message.pluralizable and len(forms) != CATALOG.num_plurals:
        return f"{len(forms)} plural forms, the header says {CATALOG.num_plurals}"
    if not all(form and form.strip() for form in forms):
        return "untranslated"
    return None


def _placeholder_problem(message) -> str | None:
    if message.pluralizable:
        singular, plural = message.id
        english = sorted(set(_placeholders(singular)) | set(_placeholders(plural)))
        for form in _forms(message):
            # Every Welsh form stands for several numbers, so each carries the English placeholders.
            if sorted(set(_placeholders(form))) != english or _percent_signs(form) != _percent_signs(plural):
                return f"{form!r} does not keep {english}"
        return None
    for form in _forms(message):
        if _placeholders(form) != _placeholders(message.id) or _percent_signs(form) != _percent_signs(message.id):
            return f"{form!r} does not keep {_placeholders(message.id)}"
    return None


def test_every_message_is_translated_and_not_fuzzy():
    problems = [f"{_label(m)!r}: {why}" for m in MESSAGES if (why := _untranslated(m))]
    assert not problems, "\n".join(problems)


def test_placeholders_are_kept():
    problems = [f"{_label(m)!r}: {why}" for m in MESSAGES if m.string and (why := _placeholder_problem(m))]
    assert not problems, "\n".join(problems)
