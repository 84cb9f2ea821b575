"""Where every field of a printed sheet is on its pages, in millimetres, for reading it back.

The plain geometry (boxes in millimetres from the page's top-left corner) is
``reentry.domain.layout``, which the renderer fills as it draws; ``sheet`` computes a registered
sheet's layout with the very code that draws it;
``registration`` maps a scanned page's pixels onto that layout through the corner marks.
"""
