"""Voting-code letters: CPU per letter and peak memory, the former page-by-page build against the stamped one.

Each build runs in a child process of its own, so its peak RSS is its own; CPU is the child's
process time for the build alone (the app is built before the clock starts). The former build
(every page laid out by fpdf2, as pbapp did until issue #20) is kept here only for this comparison.

    .venv/bin/python bench/letters.py                 # 10,000 letters, English, then bilingual
    .venv/bin/python bench/letters.py --letters 50000
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone

BUILDS = ("former", "stamped", "stamped-bilingual")


def _former(batch, codes) -> bytes:
    """pbapp's letters before issue #20: fpdf2 lays out every page."""
    from flask_babel import format_datetime
    from flask_babel import gettext as _
    from fpdf import FPDF

    from pbapp.pb.letters import FAMILY, FONTS

    def write(text, *, size, style=""):
        pdf.set_font(FAMILY, style, size)
        pdf.multi_cell(w=0, h=size * 0.55, text=text, align="L", new_x="LMARGIN", new_y="NEXT")

    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    closes = _(
        "Voting closes on %(day)s at %(time)s.",
        day=format_datetime(batch.closes_at, "d MMMM yyyy"),
        time=format_datetime(batch.closes_at, "HH:mm"),
    )
    heading = _("Your vote: %(title)s", title=batch.ballot_title)
    for n, code in enumerate(codes, start=1):
        pdf.add_page()
        write(f"{batch.council} · {batch.area}", size=11)
        pdf.ln(8)
        write(heading, size=20, style="B")
        pdf.ln(6)
        write(_("You can help decide how this money is spent. Go to"), size=13)
        write(batch.url, size=13, style="B")
        write(_("and enter this code:"), size=13)
        pdf.ln(4)
        pdf.set_font("courier", "B", 28)
        pdf.cell(w=0, h=16, text=code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        write(_("Then choose what you want, check your answers and send your vote."), size=13)
        pdf.ln(2)
        write(closes, size=13)
        pdf.ln(2)
        write(
            _(
                "The code works for one vote. You can change your vote until voting closes. "
                "Nobody can see how you voted."
            ),
            size=11,
        )
        pdf.set_y(-30)
        write(_("Letter %(n)d of %(total)d, batch %(batch)d", n=n, total=len(codes), batch=batch.batch_id), size=9)
    return bytes(pdf.output())


def child(build: str, count: int) -> None:
    """Build `count` letters one way and print CPU seconds, peak RSS and size as JSON."""
    import logging

    from pbapp import create_app
    from pbapp.config import TestConfig
    from pbapp.pb import letters

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    app = create_app(TestConfig("sqlite://"))
    batch = letters.LetterBatch(
        "Blackburn with Darwen Borough Council",
        "Darwen and West Pennine",
        "Darwen town centre fund",
        "https://example.org/pb/blackburn/ballots/1",
        datetime(2026, 10, 12, 17, tzinfo=timezone.utc),
        7,
    )
    codes = [f"{n:04d}-ABCD-EFGH"[:14] for n in range(count)]
    with app.test_request_context():
        start = time.process_time()
        if build == "former":
            size = len(_former(batch, codes))
        else:
            out = io.BytesIO()
            letters.write_letters(out, batch, codes, languages=("cy", "en") if build.endswith("bilingual") else None)
            size = out.tell()
        cpu = time.process_time() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"build": build, "letters": count, "cpu_s": cpu, "peak_rss_mib": peak_kib / 1024, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--child", choices=BUILDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.letters)
        return
    print(f"{'build':<18} {'letters':>8} {'CPU s':>8} {'ms/letter':>10} {'peak RSS MiB':>13} {'PDF MiB':>8}")
    for build in BUILDS:
        done = subprocess.run(
            [sys.executable, __file__, "--child", build, "--letters", str(args.letters)],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{row['build']:<18} {row['letters']:>8} {row['cpu_s']:>8.2f} {1000 * row['cpu_s'] / row['letters']:>10.3f}"
            f" {row['peak_rss_mib']:>13.0f} {row['bytes'] / 2**20:>8.1f}"
        )


if __name__ == "__main__":
    main()
