"""The reconciliation's PDF report for the quality team: totals, then the open items with why.

French by default. Page 1 gives the totals per verdict and per kind; then the items that need a
decision (missing, differs, duplicate) are listed, verdict by verdict, with patient, kind, code,
time and the reason the matcher gave, so the report can be worked through on paper. Each verdict
lists its first ``LISTED_PER_VERDICT`` items and says how many more there are: a run of tens of
thousands of flags is worked in the review window (and read whole in verdicts.csv), not from a
thousand printed pages, which would also take longer to draw than the matching itself.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reentry import clock
from reentry.domain.items import ItemVerdict, VerdictLine
from reentry.files import partial_path, written_whole
from reentry.i18n import tr
from reentry.printing.fonts import BOLD, REGULAR, register_fonts, wrap_text

VERDICTS = tuple(v.value for v in ItemVerdict)
LISTED_PER_VERDICT = 200
MARGIN = 15 * mm
LINE = 4.6 * mm


def write_report(verdicts: Sequence[VerdictLine], paper_times: Mapping[str, datetime],
                 unmatched: int, out: Path, *, now: datetime | None = None,
                 listed: int = LISTED_PER_VERDICT) -> int:
    """Write the PDF (under a temporary name, then moved into place); returns its page count."""
    register_fonts()
    pdf = Canvas(str(partial_path(out)), pagesize=A4, pageCompression=1)
    pdf.setTitle(tr("report.title"))
    width, height = A4
    pages = 1
    y = height - MARGIN

    def line(text: str, font: str = REGULAR, size: float = 9, indent: float = 0) -> None:
        nonlocal y, pages
        for part in wrap_text(text, font, size, width - 2 * MARGIN - indent) or [""]:
            if y < MARGIN + LINE:
                _footer(pdf, pages, now)
                pdf.showPage()
                pages += 1
                y = height - MARGIN
            pdf.setFont(font, size)
            pdf.drawString(MARGIN + indent, y, part)
            y -= LINE * size / 9

    counts = Counter(v.verdict for v in verdicts)
    line(tr("report.title"), BOLD, 16)
    line(tr("report.generated", when=clock.format_local(now or clock.now())))
    y -= LINE
    line(tr("report.totals"), BOLD, 11)
    for verdict in VERDICTS:
        line(tr("report.count", label=tr(f"report.verdict_{verdict}"), count=counts[verdict]),
             indent=5 * mm)
    line(tr("report.unmatched", count=unmatched), indent=5 * mm)
    y -= LINE
    line(tr("report.by_kind"), BOLD, 11)
    by_kind = Counter((v.kind, v.verdict) for v in verdicts)
    for kind in sorted({k for k, _ in by_kind}):
        parts = ", ".join(f"{tr(f'report.verdict_{v}')} {by_kind[(kind, v)]}" for v in VERDICTS
                          if by_kind[(kind, v)])
        line(f"{tr(f'report.kind_{kind}')} : {parts}", indent=5 * mm)
    y -= LINE
    flagged = [v for v in verdicts if v.verdict != ItemVerdict.IN_SIH]
    line(tr("report.open_items", count=len(flagged)), BOLD, 11)
    for verdict in VERDICTS[1:]:
        of_verdict = [v for v in flagged if v.verdict == verdict]
        if not of_verdict:
            continue
        y -= LINE / 2
        line(tr("report.count", label=tr(f"report.verdict_{verdict}"), count=len(of_verdict)),
             BOLD, 10)
        shown = heapq.nsmallest(listed, of_verdict, key=lambda v: (
            v.ipp, paper_times.get(v.item_id) or datetime.min))
        for v in shown:
            when = paper_times.get(v.item_id)
            line(tr("report.item", verdict=tr(f"report.verdict_{v.verdict}"),
                    ipp=v.ipp or "—", kind=tr(f"report.kind_{v.kind}"),
                    when=clock.format_local(when, with_zone=False) if when else "—",
                    item=v.item_id), BOLD, 9)
            line(v.text, indent=5 * mm, size=8.5)
        if len(of_verdict) > len(shown):
            line(tr("report.more_items", count=len(of_verdict) - len(shown)), indent=5 * mm)
    _footer(pdf, pages, now)
    with written_whole(out):  # a private .partial, moved onto out, removed if saving fails
        pdf.save()
    return pages


def _footer(pdf: Canvas, page: int, now: datetime | None) -> None:
    pdf.setFont(REGULAR, 7.5)
    pdf.drawRightString(A4[0] - MARGIN, MARGIN / 2, tr("report.page", page=page))
    pdf.drawString(MARGIN, MARGIN / 2, tr("report.generated",
                                          when=clock.format_local(now or clock.now())))
