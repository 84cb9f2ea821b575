"""The quality report as a PDF: per-ward tables with totals, charts, and every item still open.

A4 landscape, so that the per-ward tables and the open items fit their columns without cutting
a name. Charts are drawn with ``reportlab.graphics`` (vector, their labels are real text):
sheets per ward, reconciliation verdicts per ward, and the closure curve (% of flags closed
against hours since the end of the outage). Written under a temporary name, then moved into
place: a report that stopped half-way never replaces a good one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from reentry import clock, display
from reentry.domain.items import ItemVerdict
from reentry.domain.review import VERDICTS
from reentry.files import create_private_file
from reentry.i18n import get_language, msg, tr
from reentry.printing.fonts import BOLD, REGULAR, fit_text, register_fonts, wrap_text
from reentry.reports.gather import (
    FLAG,
    SHEET_COLUMNS,
    OpenItem,
    QualityReport,
    WardReport,
)
from reentry.reports.labels import (
    duration_text,
    event_period,
    kind_text,
    open_item_ward,
    reason_text,
    reference_text,
    status_text,
    ward_axis_label,
    ward_label,
)

PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
SHEET_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#e15759", "#bab0ac", "#edc948")
VERDICT_COLOURS: dict[str, str] = {ItemVerdict.IN_SIH: "#59a14f", ItemVerdict.DIFFERS: "#f28e2b",
                                   ItemVerdict.MISSING: "#e15759",
                                   ItemVerdict.DUPLICATE: "#b07aa1"}
GRID = colors.HexColor("#b0b0b0")
HEADER = colors.HexColor("#e8eef5")
DRILL = colors.HexColor("#c0392b")


def write_pdf(report: QualityReport, out: Path) -> int:
    """Write the report in the current language; returns the number of pages."""
    register_fonts()
    styles = _styles()
    partial = out.with_name(out.name + ".partial")
    pages = _PageCount()
    doc = SimpleDocTemplate(str(partial), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=tr("reports.title", title=report.event.title),
                            author="Reentry", lang=get_language())
    story = [*_heading(report, styles), *_summary(report, styles),
             *_sheets_section(report, styles), *_verdicts_section(report, styles),
             *_closure_section(report, styles), *_open_items_section(report, styles)]

    def footer(canvas: Canvas, _doc: Any) -> None:
        pages.count = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(MARGIN, MARGIN / 2, tr(
            "reports.footer", title=report.event.title,
            when=clock.format_local(report.generated_at)))
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2,
                               tr("reports.page", page=canvas.getPageNumber()))
        if report.drill:
            canvas.setFont(BOLD, 9)
            canvas.setFillColor(DRILL)
            canvas.drawCentredString(PAGE[0] / 2, PAGE[1] - MARGIN / 2,
                                     tr("reports.drill_banner"))
        canvas.restoreState()

    try:
        create_private_file(partial)  # the document is written into it: owner only
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        os.replace(partial, out)
    except BaseException:  # a failed or cancelled report leaves no half-written file behind
        partial.unlink(missing_ok=True)
        raise
    return pages.count


class _PageCount:
    count = 0


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20,
                                spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=12, leading=15,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9, keepWithNext=1),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=BOLD, fontSize=7.5,
                                    leading=9),
        "drill": ParagraphStyle("drill", parent=base, fontName=BOLD, fontSize=11,
                                textColor=DRILL),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


# -- sections -----------------------------------------------------------------------------------


def _heading(report: QualityReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    event = report.event
    parts: list[Flowable] = [_p(tr("reports.title", title=event.title), styles["title"])]
    if report.drill:
        parts.append(_p(tr("reports.drill_notice"), styles["drill"]))
    wards = ", ".join(event.wards) if event.wards is not None else tr("events.all_wards")
    lines = [
        tr("reports.event_line", id=event.id, period=event_period(event),
           status=tr(f"events.status_{event.status.value}"),
           planned=tr("events.planned" if event.planned else "events.unplanned")),
        tr("reports.event_scope", wards=wards, systems=", ".join(event.systems) or "—",
           user=event.declared_by),
        tr("reports.generated", when=clock.format_local(report.generated_at)),
    ]
    if event.closed_at is not None:
        lines.append(tr("reports.event_closed", when=clock.format_local(event.closed_at),
                        user=event.closed_by or "—"))
    if event.exception is not None:
        lines.append(tr("reports.event_exception", user=event.exception.signed_by,
                        count=len(event.exception.serials), reason=event.exception.reason))
    run = report.verdict_run
    if run is None:
        lines.append(tr("reports.no_run"))
    else:
        lines.append(tr("reports.verdict_run", run=run.id, when=clock.format_local(run.at),
                        files=", ".join(name for name, _ in run.sih_files) or "—",
                        user=run.username or "—", items=run.event_items))
        if len(report.runs) > 1:
            lines.append(tr("reports.other_runs", runs=", ".join(
                str(r.id) for r in report.runs if r.id != run.id)))
    parts += [_p(line, styles["body"]) for line in lines]
    return parts


def _summary(report: QualityReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    total = report.total
    sheet_counts: dict[str, object] = {c: total.sheets.value(c) for c in SHEET_COLUMNS}
    verdicts: dict[str, object] = dict(total.verdicts)
    rows = [
        [tr("reports.summary_sheets"),
         msg("reports.summary_sheets_values", **sheet_counts).render()],
        [tr("reports.summary_items"), msg("reports.summary_items_values", **verdicts).render()],
        [tr("reports.summary_flags"), tr(
            "reports.summary_flags_values", total=report.flags_total,
            open=total.closure.open, closed=total.closure.closed,
            median=duration_text(total.closure.median_hours),
            max=duration_text(total.closure.max_hours))],
        [tr("reports.summary_second_read"), tr("reports.summary_second_read_values",
                                                sheets=total.disagreements)],
        [tr("reports.summary_open_items"), tr(
            "reports.summary_open_items_values",
            flags=sum(i.category == FLAG for i in report.open_items),
            sheets=sum(i.category != FLAG for i in report.open_items))],
    ]
    table = Table([[_p(a, styles["cell_bold"]), _p(b, styles["cell"])] for a, b in rows],
                  colWidths=[55 * mm, WIDTH - 55 * mm])
    table.setStyle(_grid(header=False))
    return [_p(tr("reports.summary"), styles["h2"]), table]


def _sheets_section(report: QualityReport, styles: dict[str, ParagraphStyle]
                    ) -> list[Flowable]:
    header = [tr("reports.col_ward"), *(tr(f"reports.sheets_{c}") for c in SHEET_COLUMNS)]
    body = [[ward_label(w), *(str(w.sheets.value(c)) for c in SHEET_COLUMNS)]
            for w in report.wards]
    total = [tr("reports.total"), *(str(report.total.sheets.value(c)) for c in SHEET_COLUMNS)]
    table = _number_table(header, body, total, styles, first=80 * mm)
    parts: list[Flowable] = [_p(tr("reports.sheets_title"), styles["h2"]), table]
    wards = [w for w in report.wards if w.sheets.expected]
    if wards:
        counts = {w.ward_code: [w.sheets.value(c) for c in SHEET_COLUMNS] for w in wards}
        parts += _bar_charts(tr("reports.chart_sheets"), wards, counts,
                             [tr(f"reports.sheets_{c}") for c in SHEET_COLUMNS],
                             list(SHEET_COLOURS), stacked=False)
    return parts


def _verdicts_section(report: QualityReport, styles: dict[str, ParagraphStyle]
                      ) -> list[Flowable]:
    header = [tr("reports.col_ward"), *(tr(f"review.verdict.{v}") for v in VERDICTS),
              tr("reports.flags_open"), tr("reports.flags_closed"),
              tr("reports.closure_median"), tr("reports.closure_max")]

    def cells(w: WardReport) -> list[str]:
        return [*(str(w.verdicts[v]) for v in VERDICTS), str(w.closure.open),
                str(w.closure.closed), duration_text(w.closure.median_hours),
                duration_text(w.closure.max_hours)]

    body = [[ward_label(w), *cells(w)] for w in report.wards]
    table = _number_table(header, body, [tr("reports.total"), *cells(report.total)], styles,
                          first=70 * mm)
    parts: list[Flowable] = [_p(tr("reports.verdicts_title"), styles["h2"])]
    if report.event.ended_at is not None:
        parts.append(_p(tr("reports.closure_explained"), styles["small"]))
    else:
        parts.append(_p(tr("reports.closure_not_ended"), styles["small"]))
    parts.append(table)
    wards = [w for w in report.wards if any(w.verdicts.values())]
    if wards:
        counts = {w.ward_code: [w.verdicts[v] for v in VERDICTS] for w in wards}
        parts += _bar_charts(tr("reports.chart_verdicts"), wards, counts,
                             [tr(f"review.verdict.{v}") for v in VERDICTS],
                             [VERDICT_COLOURS[v] for v in VERDICTS], stacked=True)
    return parts


def _closure_section(report: QualityReport, styles: dict[str, ParagraphStyle]
                     ) -> list[Flowable]:
    title = _p(tr("reports.closure_title"), styles["h2"])
    if not report.closure_curve:
        reason = ("reports.closure_no_flags" if not report.flags_total
                  else "reports.closure_not_ended")
        return [title, _p(tr(reason), styles["body"])]
    last = report.closure_curve[-1]
    if last[1] == 0:
        text = tr("reports.closure_none_closed", total=report.flags_total)
    else:
        text = tr("reports.closure_summary", percent=display.format_number(round(last[1], 1)),
                  hours=duration_text(last[0]), total=report.flags_total,
                  open=report.total.closure.open)
    return [KeepTogether([title, _p(text, styles["body"]), _closure_chart(report)])]


OPEN_COLUMNS = ("patient", "ids", "ward", "kind", "status", "reason", "since", "reference")
OPEN_WIDTHS = {"patient": 48, "ids": 28, "ward": 24, "kind": 28, "status": 27, "reason": 56,
               "since": 30, "reference": 28}  # mm, 269 in all; a sheet's code on one line
CELL_SIZE = 7.5
CELL_PADDING = 3  # points, left and right


def _open_items_section(report: QualityReport, styles: dict[str, ParagraphStyle]
                        ) -> list[Flowable]:
    """Cells are wrapped here with the cached text measures (plain strings, not paragraphs):
    a thousand open items must not take a minute to lay out."""
    title = _p(tr("reports.open_title", count=len(report.open_items)), styles["h2"])
    if not report.open_items:
        return [title, _p(tr("reports.open_none"), styles["body"])]
    lang = get_language()
    widths = [OPEN_WIDTHS[c] * mm for c in OPEN_COLUMNS]

    def row(texts: Sequence[str], bold_columns: int) -> list[str]:
        return ["\n".join(wrap_text(text, BOLD if index < bold_columns else REGULAR, CELL_SIZE,
                                     width - 2 * CELL_PADDING))
                for index, (text, width) in enumerate(zip(texts, widths, strict=True))]

    rows = [row([tr(f"reports.open_col_{c}") for c in OPEN_COLUMNS], len(OPEN_COLUMNS))]
    for item in report.open_items:
        rows.append(row([
            _patient_text(item), _ids_text(item), open_item_ward(item), kind_text(item),
            status_text(item), reason_text(item, lang),
            clock.format_local(item.since) if item.since else "—", reference_text(item)], 1))
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = _grid(header=True)
    style.add("FONT", (0, 0), (-1, -1), REGULAR, CELL_SIZE, CELL_SIZE + 1.5)
    style.add("FONT", (0, 0), (-1, 0), BOLD, CELL_SIZE, CELL_SIZE + 1.5)
    style.add("FONT", (0, 1), (0, -1), BOLD, CELL_SIZE, CELL_SIZE + 1.5)
    style.add("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING)
    style.add("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING)
    table.setStyle(style)
    return [title, _p(tr("reports.open_explained"), styles["small"]), Spacer(1, 2 * mm), table]


def _patient_text(item: OpenItem) -> str:
    name = item.patient_name or tr("reports.no_name")
    born = _birth_date(item.birth_date)
    return tr("reports.patient_born", name=name, born=born) if born else name


def _birth_date(text: str) -> str:
    try:
        return display.date_text(date.fromisoformat(text))
    except ValueError:
        return text


def _ids_text(item: OpenItem) -> str:
    parts = []
    if item.ipp:
        parts.append(tr("reports.ipp", ipp=item.ipp))
    if item.temporary_id:
        parts.append(tr("reports.temporary", code=item.temporary_id))
    return " — ".join(parts) or "—"


# -- tables and charts --------------------------------------------------------------------------


def _grid(*, header: bool) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER))
    return TableStyle(commands)


def _number_table(header: Sequence[str], body: Sequence[Sequence[str]], total: Sequence[str],
                  styles: dict[str, ParagraphStyle], *, first: float) -> Table:
    rest = (WIDTH - first) / (len(header) - 1)
    bold = styles["cell_bold"]
    rows: list[list[Any]] = [[_p(h, bold) for h in header]]
    rows += [[_p(row[0], styles["cell"]), *row[1:]] for row in body]
    rows.append([_p(total[0], bold), *total[1:]])
    table = Table(rows, colWidths=[first, *([rest] * (len(header) - 1))], repeatRows=1)
    style = _grid(header=True)
    style.add("ALIGN", (1, 1), (-1, -1), "RIGHT")
    style.add("FONT", (1, len(rows) - 1), (-1, len(rows) - 1), BOLD, 8)
    style.add("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), HEADER)
    table.setStyle(style)
    return table


CHART_WARDS = 10  # wards per bar chart: each name readable under its own bars
AXIS_FONT = 7
AXIS_LINES = 3  # a ward's name on at most three lines under its bars
CHART_LEFT = 30
CHART_WIDTH = WIDTH - 190  # the legend takes the rest


def _bar_charts(title: str, wards: Sequence[WardReport], counts: dict[str, list[int]],
                labels: list[str], palette: list[str], *, stacked: bool) -> list[Flowable]:
    """One chart per run of at most ``CHART_WARDS`` wards, all on the same scale, so that each
    ward's name fits, unrotated, under its own bars (a rotated name ran under the bars of the
    ward beside it)."""
    top = max((sum(values) if stacked else max(values, default=0))
              for values in counts.values())
    runs = math.ceil(len(wards) / CHART_WARDS)
    size = math.ceil(len(wards) / runs)  # 15 wards: 8 + 7, not 10 + 5
    charts: list[Flowable] = []
    for start in range(0, len(wards), size):
        chunk = wards[start:start + size]
        series = [[counts[w.ward_code][s] for w in chunk] for s in range(len(labels))]
        shown = title if runs == 1 else tr("reports.chart_part", title=title,
                                            part=start // size + 1, parts=runs)
        charts.append(_bar_chart(shown, [ward_axis_label(w) for w in chunk], series, labels,
                                 palette, stacked=stacked, top=top))
    return charts


def axis_lines(name: str, width: float) -> list[str]:
    """A ward's name wrapped to ``width`` (its category), at most ``AXIS_LINES`` lines."""
    lines = wrap_text(name, REGULAR, AXIS_FONT, width)
    if len(lines) > AXIS_LINES:
        lines = [*lines[:AXIS_LINES - 1],
                 fit_text(" ".join(lines[AXIS_LINES - 1:]), REGULAR, AXIS_FONT, width)]
    return lines


def _bar_chart(title: str, categories: list[str], series: list[list[int]], labels: list[str],
               palette: list[str], *, stacked: bool, top: int) -> Drawing:
    category = CHART_WIDTH / max(1, len(categories))
    names = [axis_lines(name, category - 4) for name in categories]
    lines = max((len(n) for n in names), default=1)
    bottom = 14 + lines * (AXIS_FONT + 1.5)
    height = 58 * mm + bottom
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 10, title, fontName=BOLD, fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y = CHART_LEFT, bottom
    chart.width, chart.height = CHART_WIDTH, height - bottom - 26
    chart.data = series
    chart.categoryAxis.categoryNames = ["\n".join(n) for n in names]
    if stacked:
        chart.categoryAxis.style = "stacked"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, top)
    chart.valueAxis.valueStep = _step(top)
    chart.valueAxis.labelTextFormat = "%d"
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = REGULAR
        axis.labels.fontSize = AXIS_FONT
    chart.categoryAxis.labels.boxAnchor = "n"  # centred under its own bars, never rotated
    chart.categoryAxis.labels.textAnchor = "middle"
    chart.categoryAxis.labels.leading = AXIS_FONT + 1.5
    chart.groupSpacing = category * 0.2  # a gap between wards, where the axis ticks
    for index, colour in enumerate(palette):
        chart.bars[index].fillColor = colors.HexColor(colour)
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(WIDTH - 140, height - 24, labels, palette))
    return drawing


def _legend(x: float, y: float, labels: list[str], palette: list[str]) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = REGULAR
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.dx = legend.dy = 7
    legend.deltay = 10
    legend.columnMaximum = 10
    legend.colorNamePairs = [(colors.HexColor(c), label)
                             for c, label in zip(palette, labels, strict=True)]
    return legend


def _step(top: int) -> int:
    """An axis step that gives at most about eight whole-number ticks."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 8:
            return step
    return max(1, top // 8)


def _closure_chart(report: QualityReport) -> Drawing:
    height = 75 * mm
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 10, tr("reports.chart_closure"), fontName=BOLD, fontSize=9))
    plot = LinePlot()
    plot.x, plot.y = 40, 30
    plot.width, plot.height = WIDTH - 80, height - 55
    horizon = max(report.horizon_hours, report.closure_curve[-1][0], 1.0)
    step = _hour_step(horizon)
    plot.data = [_steps(report.closure_curve, horizon)]
    plot.lines[0].strokeColor = colors.HexColor("#4e79a7")
    plot.lines[0].strokeWidth = 1.5
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = math.ceil(horizon / step) * step  # ends on a labelled tick
    plot.xValueAxis.valueStep = step
    plot.xValueAxis.labelTextFormat = _hours_label
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.valueMax = 100
    plot.yValueAxis.valueStep = 25
    plot.yValueAxis.labelTextFormat = "%d %%"
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = REGULAR
        axis.labels.fontSize = 7
    drawing.add(plot)
    drawing.add(String(40 + plot.width / 2, 4, tr("reports.chart_closure_x"), fontName=REGULAR,
                       fontSize=7.5, textAnchor="middle"))
    return drawing


def _steps(curve: list[tuple[float, float]], horizon: float) -> list[tuple[float, float]]:
    """The cumulative curve drawn as steps: flat until the next closure, then up."""
    points: list[tuple[float, float]] = []
    for hours, percent in curve:
        if points:
            points.append((hours, points[-1][1]))
        points.append((hours, percent))
    if points[-1][0] < horizon:
        points.append((horizon, points[-1][1]))
    return points


def _hour_step(horizon: float) -> float:
    for step in (0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720):
        if horizon / step <= 12:
            return step
    return horizon / 12


def _hours_label(value: float) -> str:
    return tr("reports.hours_short", hours=display.format_number(round(value, 2)))
