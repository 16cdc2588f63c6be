"""The address lottery's invitation letters: CPU per letter with every page laid out by fpdf2 (issue #21).

Each letter has its own address, so the vote's stamped page (bench/letters.py) does not apply; this
measures the plain fpdf2 build that pbapp.sortition.invitation_letters does, to choose between the
request and a job (over about 2 ms a letter, a job). The app is built before the clock starts.

    .venv/bin/python bench/invitation_letters.py                # 500 letters, English, then bilingual
    .venv/bin/python bench/invitation_letters.py --letters 2000
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import time
from datetime import date


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=500)
    count = parser.parse_args().letters

    from pbapp import create_app
    from pbapp.config import TestConfig
    from pbapp.sortition.invitation_letters import Household, Invitation, write_invitations

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    app = create_app(TestConfig("sqlite://"))
    households = [
        Household((f"{n} Mill Lane", "Darwen", f"BB3 {n % 9}DY"), f"{n:04d}-ABCD-EFGH"[:14]) for n in range(count)
    ]
    names = {"en": "Blackburn with Darwen Borough Council", "cy": "Cyngor Bwrdeistref Blackburn gyda Darwen"}
    about = Invitation(
        names,
        "How should we balance the budget?",
        "",
        date(2027, 1, 9),
        date(2027, 2, 6),
        5000,
        "https://example.org/sortition/blackburn/register",
    )
    with app.test_request_context():
        for languages in (("en",), ("cy", "en")):
            out = io.BytesIO()
            start = time.process_time()
            write_invitations(out, about, households, languages=languages)
            cpu = time.process_time() - start
            print(
                json.dumps(
                    {
                        "languages": "+".join(languages),
                        "letters": count,
                        "ms_per_letter": round(1000 * cpu / count, 2),
                        "bytes_per_letter": len(out.getvalue()) // count,
                    }
                )
            )


if __name__ == "__main__":
    main()
