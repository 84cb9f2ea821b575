"""``apply_links`` makes its items and places field by field (a big outage has tens of thousands
of items under temporary identities): they must be what ``dataclasses.replace`` gives, whatever
fields PaperItem and PaperPlace hold, now and after a field is added."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

from reentry.domain.items import PaperItem
from reentry.review.record import PaperPlace, PaperSide, apply_links

AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _item(key: str, ipp: str) -> PaperItem:
    """Every field set to a value of its own, so that one dropped or swapped shows."""
    values: dict[str, object] = {f.name: f"{f.name}-{key}" for f in fields(PaperItem)}
    values.update(id=key, ipp=ipp, effective_time=AT, value=37.5)
    return PaperItem(**values)  # type: ignore[arg-type]


def test_linked_and_temporary_items_are_those_replace_gives() -> None:
    full = PaperPlace(serial=12, page=2, ward_code="CARDIO", temporary_id=None,
                      entered_by="zoe", entered_at=AT)
    kept = PaperPlace(ward_code="REA", temporary_id="T-OLD")
    items = [_item("a", "T1"), _item("b", "T2"), _item("c", "0090001"), _item("d", "T1")]
    places = {"a": full, "c": PaperPlace(ward_code="GERIA"), "d": kept}
    side = PaperSide(items, dict(places), "paper.csv")

    out = apply_links(side, {"T1": "0090009"}, ["T1", "T2"])

    assert out == [replace(items[0], ipp="0090009"), items[1], items[2],
                   replace(items[3], ipp="0090009")]
    assert all(type(i) is PaperItem for i in out)
    assert side.places == {
        "a": replace(full, temporary_id="T1"),
        "b": replace(PaperPlace(), temporary_id="T2"),  # no place before: an empty one
        "c": places["c"],  # not a temporary identity: left alone
        "d": kept}  # the temporary identity it was written under is kept


def test_the_fields_made_directly_are_all_the_fields() -> None:
    assert [f.name for f in fields(PaperItem)] == [
        "id", "ipp", "kind", "code", "effective_time", "value", "value_text", "unit", "route",
        "text", "nda", "author", "status"]
    assert [f.name for f in fields(PaperPlace)] == [
        "serial", "page", "ward_code", "temporary_id", "entered_by", "entered_at"]
