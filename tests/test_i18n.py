"""The catalogs are complete and consistent: every message in French exists in English with the
same placeholders, so that switching language never shows a raw id or crashes a format."""

import pytest

from reentry import i18n
from reentry.i18n import Msg, catalog, msg, placeholders, tr


def test_french_is_the_default():
    assert i18n.get_language() == "fr"
    assert tr("error.generic") == "Une erreur est survenue."


def test_every_message_exists_in_every_language_with_the_same_placeholders():
    french = catalog("fr")
    for language in i18n.LANGUAGES:
        other = catalog(language)
        assert set(other) == set(french), set(other) ^ set(french)
        for key, text in french.items():
            assert placeholders(other[key]) == placeholders(text), key


def test_switching_language_changes_the_rendering_of_the_same_message():
    message = msg("error.file_rejected", file="a.hl7", where=msg("where.line", line=3),
                  problem=msg("problem.bad_date", value="19791332"))
    assert message.render() == (
        "a.hl7 : ligne 3 : date invalide « 19791332 ». Rien de ce fichier n'a été importé.")
    i18n.set_language("en")
    assert str(message) == 'a.hl7: line 3: invalid date "19791332". Nothing from this file was imported.'


def test_language_context_restores_the_previous_language():
    with i18n.language("en"):
        assert tr("error.generic") == "An error occurred."
    assert tr("error.generic") == "Une erreur est survenue."


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        i18n.set_language("de")


def test_missing_message_shows_its_id_rather_than_crashing():
    assert tr("no.such.message") == "no.such.message"
    assert isinstance(msg("x"), Msg)
