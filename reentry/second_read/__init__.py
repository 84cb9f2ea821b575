"""The scanned page as a second reader of what was typed (issue 14).

``page`` reads one stored page image (layout, corner marks, every field's boxes) into
``FieldReading``s; ``crosscheck`` compares them with the typed rows; ``words`` names rows and
fields as the paper shows them; ``report`` lays a sheet's or a ward's checks out for
``reentry second-read``; ``counts`` gives the sheets with open disagreements per ward.

API note for the entry screen and the progress screen (Qt, ``ui/``; run the slow calls off the
GUI thread, they read images):

- ``crosscheck.check_sheet(store, serial) -> SheetCheck``: reads the pages not read yet (each
  stored image is read once, about a tenth of a second), compares, keeps the outcome. Call it
  when a scanned sheet opens. ``SheetCheck.fields`` holds one ``FieldCheck`` per field of each
  scanned row: ``key`` (section, row, field id as the entry screen's rows use them), ``page``,
  ``typed``, ``reading`` (``ink``, ``value`` in canonical text or None, ``text`` as written
  (« 37,5 »), ``confidence``), ``verdict`` (``domain.second_read.Verdict``) and ``open``.
  ``SheetCheck.unreadable_pages``: pages whose corner marks were not found (say: rescan).
- Saving a row (``entry.service.record_row``) re-runs the check itself, cheaply; read the new
  state with ``crosscheck.cross_check(store, serial)`` (no image read). A row saved with a
  changed value where a disagreement was open records it as corrected by typing.
- ``crosscheck.confirm_as_typed(store, user, serial, key)``: the typist keeps what is typed.
- ``entry.service.mark_sheet_entered(store, user, serial, reason=None)`` raises
  ``crosscheck.WrittenNotTyped`` (a ``UserError`` naming the fields) while a field is written on
  paper but neither typed nor confirmed; ask for a reason and call it again with ``reason``.
- The zoomed box beside a disagreement: ``page.field_rect(store, serial, page, key)`` gives the
  field's rectangle in mm on the page layout (``reentry.layout``), for the scan viewer.
- Progress: ``counts.open_disagreements_by_ward(store)`` → ward code → sheets with open
  disagreements; ``entry.progress.WardProgress.open_disagreements`` carries it.

Nothing here is ever written into an entry: the machine points, the person types.
"""
