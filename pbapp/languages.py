"""The languages the service speaks, from configuration: names, writing direction and catalogues.

The interface follows `LANGUAGES` (each language other than English needs a compiled catalogue);
officer-entered content has English and Welsh columns only (`CONTENT_LANGUAGES`), and a reader of
any other language sees the English, marked `lang="en"`.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError

SOURCE_LANGUAGE = "en"  # the language the code's strings and the content's main columns are written in
CONTENT_LANGUAGES = ("en", "cy")  # officer-entered text has a column for each of these


def parse_languages(text: str) -> tuple[str, ...]:
    """Read `en,cy,ur` into ("en", "cy", "ur"): English always first, no repeats."""
    codes = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    ordered = [SOURCE_LANGUAGE] + [code for code in codes if code != SOURCE_LANGUAGE]
    return tuple(dict.fromkeys(ordered))


def _locale(code: str) -> Locale:
    return Locale.parse(code.replace("-", "_"))


def autonym(code: str) -> str:
    """A language's name in itself (Cymraeg, polski, اردو), as a language switcher shows it."""
    name = _locale(code).get_display_name(code.replace("-", "_")) or code
    return name[:1].upper() + name[1:]  # a menu item starts with a capital, as "Polski" does


def direction(code: str) -> str:
    """`rtl` for a language written right to left (Urdu, Arabic), else `ltr`."""
    return "rtl" if _locale(code).character_order == "right-to-left" else "ltr"


def has_catalogue(directories: list[str], code: str) -> bool:
    """Whether a compiled interface catalogue for `code` is in one of the translation directories."""
    return any(
        (Path(folder) / code.replace("-", "_") / "LC_MESSAGES" / "messages.mo").is_file() for folder in directories
    )


def check_languages(languages: tuple[str, ...], directories: list[str]) -> None:
    """Refuse a language Babel does not know, or one with no compiled catalogue, naming which."""
    problems = []
    for code in languages:
        try:
            _locale(code)
        except (UnknownLocaleError, ValueError):
            problems.append(f"PBAPP_LANGUAGES: {code!r} is not a language code Babel knows (for example cy, ur, pl).")
            continue
        if code != SOURCE_LANGUAGE and not has_catalogue(directories, code):
            problems.append(
                f"PBAPP_LANGUAGES: there is no compiled catalogue for {code!r} "
                f"({code}/LC_MESSAGES/messages.mo) in {', '.join(directories)}."
            )
    if problems:
        raise RuntimeError(" ".join(problems))
