"""Scanned stacks: import a scanner's PDF or images, attach each page to its sheet by its code,
and let a person identify the pages the decoder could not.

``importer.import_scans`` does the import, ``queue.identify_page`` and ``queue.set_aside_page``
work the manual queue; the store keeps files, pages and images (``store/sql_scans.py``).
What a scan is lives in ``reentry.domain.scans`` (the store uses it too); nothing is imported
here, so that a command loads the decoders only when it uses them.
"""
