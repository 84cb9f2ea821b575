"""How a run's bulky JSON texts are kept (migration 0013): compressed, a part at a time.

A run of a 50k-item outage stores some 70 MB of JSON: each verdict's patient, reason tree,
paper item and SIH copies, and the SIH items no paper item claimed. Written as they are, the
database wrote every byte twice (its log, then its file), a third of the run's time; the texts
repeat the same keys, codes and values over and over and compress tenfold.

* A verdict's ``identity``, ``reason``, ``paper`` and ``sih`` go into ``review_texts`` by part:
  the texts of up to ``PART`` verdicts of a run, one column at a time, joined by a newline and
  compressed (zlib). The verdict's row says where its texts are (``texts_part``,
  ``texts_row``), so that one flag is shown by opening one part, not the run.
* The unmatched SIH items: the run's JSON array (``[item, item, …]``, the text migration 0012
  stored) cut into slices of ``SLICE`` bytes, each compressed; read back joined.

A JSON text never holds a raw newline (every encoder used escapes control characters), so the
newline parts them exactly; ``pack`` checks it. Reading gives back the very same text.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

PART = 1000  # verdicts per part: one flag opens a part of at most this many texts
SLICE = 4 << 20  # bytes of the unmatched items' array per part
VERDICT_TEXTS = ("identity", "reason", "paper", "sih")  # review_verdicts' columns kept here
UNMATCHED = "unmatched"
_LEVEL = 1  # zlib's fastest: nearly all of the gain (tenfold), a fraction of the time of 6


def joined(texts: Sequence[str]) -> bytes:
    """The texts, joined by newlines (as ``pack`` compresses them)."""
    text = "\n".join(texts)
    if text.count("\n") != len(texts) - 1 and texts:
        raise ValueError("a text to pack holds a newline")  # never JSON: a caller's mistake
    return text.encode("utf-8")


def compress(data: bytes) -> bytes:
    return zlib.compress(data, _LEVEL)


def pack(texts: Sequence[str]) -> bytes:
    """The texts, joined by newlines, compressed."""
    return compress(joined(texts))


def unpack(blob: bytes | memoryview) -> list[str]:
    return zlib.decompress(blob).decode("utf-8").split("\n")


def slices(text: str) -> list[bytes]:
    """A long text (the unmatched items' array) in slices, in order, as ``pack_slices``
    compresses them."""
    data = text.encode("utf-8")
    return [data[start:start + SLICE] for start in range(0, len(data), SLICE)]


def pack_slices(text: str) -> list[bytes]:
    """A long text as compressed slices, in order."""
    return [compress(data) for data in slices(text)]


def unpack_slices(blobs: Iterable[bytes | memoryview]) -> str:
    return b"".join(zlib.decompress(b) for b in blobs).decode("utf-8")
