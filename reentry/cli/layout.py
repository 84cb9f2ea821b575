"""Where the boxes of a printed page are: ``reentry layout CODE``, for anyone to check them."""

from __future__ import annotations

import json
import sys

import click

from reentry.cli.base import EXIT_REFUSED, Context, cli, echo_table, user_errors
from reentry.i18n import format_number, tr


def _mm(value: float) -> str:
    return format_number(value, 1)


@cli.command()
@click.argument("code")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_obj
@user_errors
def layout(state: Context, code: str, output: str) -> None:
    """Cases d'une page imprimée, en mm / the field boxes of a printed page, in mm.

    CODE is the page's code as printed under its barcode. For every box a nurse writes in:
    the field of the form definition, its row, its kind (comb_digit, checkbox, text_area,
    initials, write_in) and its rectangle from the page's top-left corner; a comb also lists
    each digit box. A code that names no form page exits with status 2 and says why.
    """
    from reentry import display
    from reentry.barcodes import group_for_reading
    from reentry.layout.sheet import NoLayout, page_layout

    try:
        sheet = page_layout(state.store(), code)
    except NoLayout as error:
        click.echo(tr("cli.error_prefix", message=error.message()), err=True)
        sys.exit(EXIT_REFUSED)
    if output == "json":
        click.echo(json.dumps(sheet.as_dict(), ensure_ascii=False, indent=2))
        return
    page = sheet.layout
    click.echo(tr("layout.heading", code=group_for_reading(sheet.code),
                  form=display.form_title(sheet.template_id), page=page.page, pages=sheet.pages,
                  width=_mm(page.width), height=_mm(page.height)))
    headers = [tr(f"layout.column_{c}") for c in
               ("field", "row", "kind", "choice", "x", "y", "width", "height")]
    rows = [[tr("layout.corner_mark"), str(n), "", "", _mm(r.x), _mm(r.y), _mm(r.width),
             _mm(r.height)] for n, r in enumerate(page.corner_marks, 1)]
    for box in page.boxes:
        rect = box.rect
        rows.append([box.field_id, "" if box.row is None else str(box.row), str(box.kind),
                     box.choice or "", _mm(rect.x), _mm(rect.y), _mm(rect.width),
                     _mm(rect.height)])
        rows.extend([tr("layout.digit", number=n), "", "", "", _mm(d.x), _mm(d.y),
                     _mm(d.width), _mm(d.height)] for n, d in enumerate(box.digits, 1))
        rows.extend([tr("layout.separator", text=s.text), "", "", "", _mm(s.rect.x),
                     _mm(s.rect.y), _mm(s.rect.width), _mm(s.rect.height)]
                    for s in box.separators)
    echo_table(headers, rows)
