"""Fill the Welsh catalogue from glossary modules: python pbapp/translations/fill.py GLOSSARY.py [MORE.py ...].

Each glossary module defines a dict CY = {english msgid: welsh}. Entries already translated in
messages.po are kept; empty ones are filled from the glossaries (later files win on clashes).

Plural messages (ngettext) are looked up by their *singular* msgid. The value is a tuple or list of
Welsh forms, given either

* in CLDR order, six forms: (zero, one, two, few, many, other) -- few is n=3, many is n=6; or
* in the catalogue's own order, exactly as many forms as its Plural-Forms header declares.

The header decides how many forms are written. Babel's Welsh header is
``nplurals=5; plural=(n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 0)``: msgstr[0] is used for 0 and
for every "other" number, so from six CLDR forms msgstr[0] takes *other*, and *zero* is dropped.
Each catalogue index gets the CLDR form of the numbers that mostly land on it.

Then `pybabel compile -d pbapp/translations` writes the .mo the app reads.
"""

from __future__ import annotations

import runpy
import sys
from collections import Counter
from gettext import c2py
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
PO = HERE / "cy" / "LC_MESSAGES" / "messages.po"
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def cldr_index_map(catalog) -> list[str]:
    """For each msgstr index of the catalogue, the CLDR category whose form it should hold."""
    index_of = c2py(catalog.plural_expr)
    category_of = Locale.parse("cy").plural_form
    votes: list[Counter] = [Counter() for _ in range(catalog.num_plurals)]
    for n in range(0, 1000):
        votes[index_of(n)][category_of(n)] += 1
    return [counter.most_common(1)[0][0] if counter else "other" for counter in votes]


def plural_forms(catalog, value) -> tuple[str, ...]:
    forms = tuple(value)
    if len(forms) == catalog.num_plurals:
        return forms
    if len(forms) == len(CLDR_ORDER):
        by_category = dict(zip(CLDR_ORDER, forms))
        return tuple(by_category[category] for category in cldr_index_map(catalog))
    raise ValueError(f"expected {catalog.num_plurals} or 6 plural forms, got {len(forms)}: {forms!r}")


def is_translated(message) -> bool:
    if message.pluralizable:
        return isinstance(message.string, (tuple, list)) and all(message.string)
    return bool(message.string)


def main(glossaries: list[str]) -> None:
    translations: dict = {}
    for glossary in glossaries:
        translations.update(runpy.run_path(glossary)["CY"])
    with open(PO, "rb") as handle:
        catalog = read_po(handle, locale="cy")
    filled = 0
    for message in catalog:
        if not message.id or is_translated(message):
            continue
        if message.pluralizable:
            singular = message.id[0]
            if singular in translations:
                message.string = plural_forms(catalog, translations[singular])
                filled += 1
        elif message.id in translations:
            value = translations[message.id]
            if not isinstance(value, str):
                raise ValueError(f"{message.id!r} is not a plural message; give one string")
            message.string = value
            filled += 1
    with open(PO, "wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not is_translated(m)]
    print(f"filled {filled}; {len(missing)} still untranslated")
    for text in missing:
        print("  ", repr(text))


if __name__ == "__main__":
    main(sys.argv[1:])
