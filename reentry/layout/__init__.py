"""Where every field of a printed sheet is on its pages, in millimetres, for reading it back.

``model`` holds the plain geometry (boxes in millimetres from the page's top-left corner);
``sheet`` computes a registered sheet's layout with the very code that draws it;
``registration`` maps a scanned page's pixels onto that layout through the corner marks.
"""
