"""Scanned stacks: import a scanner's PDF or images, attach each page to its sheet by its code,
and let a person identify the pages the decoder could not.

``importer.import_scans`` does the import, ``queue.identify_page`` and ``queue.set_aside_page``
work the manual queue; the store keeps files, pages and images (``store/sqlite_scans.py``).
Nothing is imported here so that the store can use ``model`` without loading the decoders.
"""
