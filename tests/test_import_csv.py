"""CSV exports: census, allergies, prescriptions and items, detected by their header."""

import pytest

from reentry.errors import FileRejected
from reentry.importing import import_files

CENSUS = """ipp;nda;birth_name;used_name;given_names;birth_date;sex;ins_nir;identity_status;site;site_name;ward;ward_name;room;bed;admitted_at;data_as_of
100001;200001;MARTIN;DURAND;Marie Claire;12/04/1950;F;;VALI;NORD;Hôpital Nord;1201;Cardiologie;10;A;2026-11-20T08:00;2026-11-23T18:00
100002;200002;BERNARD;;Jean;1961-01-02;m;279035121518989;QUAL;NORD;Hôpital Nord;1201;Cardiologie;2;B;20/11/2026 10:00;
"""

ALLERGIES = """ipp,substance,reaction,severity
100001,Pénicilline,urticaire,modérée
"""

PRESCRIPTIONS = """ipp,nda,prescription_id,drug,dose,unit,route,schedule,frequency
100001,200001,P1,paracétamol,"1,0",g,PO,06:00 12:00 18:00 00:00,4 fois par jour
"""

ITEMS = """record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text
r1,100001,200001,vital_sign,8867-4,82,/min,,2026-11-23T10:00:00+01:00,AB,
r2,100001,200001,medication_administration,Doliprane,1,g,PO,2026-11-23T12:05:00+01:00,AB,
r3,100001,200001,nursing_note,,,,,2026-11-23T12:30:00+01:00,AB,Patiente calme.
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_census_imports_in_bed_order_with_traits(store, tmp_path):
    import_files(store, [write(tmp_path, "census.csv", CENSUS)])
    rows = store.census("1201")
    assert [r.patient.ipp for r in rows] == ["100002", "100001"]
    martin = rows[1].patient
    assert (martin.birth_name, martin.used_name, martin.given_names) == (
        "MARTIN", "DURAND", "Marie Claire")
    assert martin.birth_date.isoformat() == "1950-04-12"
    assert rows[0].patient.ins_nir == "279035121518989"
    assert rows[0].ward.name == "Cardiologie" and rows[0].site.name == "Hôpital Nord"
    assert store.latest_snapshot().data_as_of.isoformat() == "2026-11-23T17:00:00+00:00"


def test_dossier_tables_attach_to_the_census(store, tmp_path):
    paths = [write(tmp_path, n, t) for n, t in [("census.csv", CENSUS), ("allergies.csv", ALLERGIES),
                                                 ("rx.csv", PRESCRIPTIONS), ("items.csv", ITEMS)]]
    import_files(store, paths)
    dossier = store.dossier(store.patient_by_ipp("100001").id)
    assert [a.substance for a in dossier.allergies] == ["Pénicilline"]
    rx = dossier.prescriptions[0]
    assert (rx.drug, rx.dose, rx.schedule) == ("paracétamol", 1.0, ("06:00", "12:00", "18:00", "00:00"))
    assert [(o.code, o.value, o.unit) for o in dossier.observations] == [("8867-4", 82.0, "/min")]
    assert [n.text for n in dossier.notes] == ["Patiente calme."]
    assert store.counts()["administrations"] == 1


@pytest.mark.parametrize("text, where, problem", [
    (CENSUS.replace("12/04/1950", "31/02/1950"), "ligne 2, colonne « birth_date »",
     "date invalide « 31/02/1950 »"),
    (CENSUS.replace(";m;", ";X;"), "ligne 3, colonne « sex »", "sexe invalide « X »"),
    (CENSUS.replace("279035121518989", "279035121518988"), "ligne 3, colonne « ins_nir »",
     "INS-NIR invalide"),
    (CENSUS.replace("birth_name;", "nom;"), "ligne 1", "colonne obligatoire absente : birth_name"),
    ("a,b\n1,2\n", "ligne 1", "en-tête non reconnu"),
])
def test_bad_census_is_rejected_whole_naming_line_and_column(store, tmp_path, text, where, problem):
    path = write(tmp_path, "census.csv", text)
    with pytest.raises(FileRejected) as caught:
        import_files(store, [path])
    message = caught.value.message()
    assert message.startswith(str(path)) and where in message and problem in message
    assert store.counts()["patients"] == 0 and store.counts()["snapshots"] == 0


def test_items_for_an_unknown_patient_are_rejected(store, tmp_path):
    with pytest.raises(FileRejected) as caught:
        import_files(store, [write(tmp_path, "items.csv", ITEMS)])
    assert "100001" in caught.value.message()
    assert store.counts()["snapshots"] == 0
