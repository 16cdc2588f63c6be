"""Fill the Welsh catalogue from a glossary module: python translations/fill.py GLOSSARY.py.

Entries already translated in messages.po are kept; new ones come from the glossary's CY dict.
Then `pybabel compile -d translations` writes the .mo the app reads.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
PO = HERE / "cy" / "LC_MESSAGES" / "messages.po"


def main(glossary: str) -> None:
    translations = runpy.run_path(glossary)["CY"]
    with open(PO, "rb") as handle:
        catalog = read_po(handle, locale="cy")
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in translations:
            message.string = translations[message.id]
            filled += 1
    with open(PO, "wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; {len(missing)} still untranslated")
    for text in missing:
        print("  ", repr(text))


if __name__ == "__main__":
    main(sys.argv[1])
