"""HL7 v2.5 PAM FR import, on the real ANS samples and on messages shaped like them."""

from datetime import date

import pytest

from reentry.errors import FileRejected
from reentry.importing import import_files
from reentry.importing.hl7_segments import parse_timestamp

ANS = "hl7v2-ans"

MSH = ("MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|{ts}||ADT^{trigger}^ADT_A01|{control}|P|2.5^FRA^2.11"
       "|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM")
PID = ("PID|1||000042^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-INS-NIR&"
       "1.2.250.1.213.1.4.10&ISO^INS||{name}^Lucie^Lucie Anne^^^^L~DURAND^^^^^^D||19790328|F"
       "|||3 rue Haute^^LYON^^69001^FRA^H~^^^^^^BDL^^63220|||||||||||||||||||||||VALI")
PV1 = "PV1|1|I|^{room}^{bed}^CHU-X&000897406&M||||||||||||||||555000111^^^CHU-X&000897406&M^VN"
ZBE = ("ZBE|{movement}^CHU-X^000897406|{ts}||{action}|N||"
       "{ward}^^^^^CHU-X&000897406&N^UF^^^{uf}|{ward}^^^^^CHU-X&000897406&N^UF^^^{uf}|HMS")


def message(trigger, control, movement=None, action="INSERT", ts="20261123080000",
            room="12", bed="A", ward="Cardiologie", uf="1201", name="MARTIN"):
    segments = [MSH.format(ts=ts, trigger=trigger, control=control), f"EVN||{ts}",
                PID.format(name=name), PV1.format(room=room, bed=bed)]
    if movement is not None:
        segments.append(ZBE.format(movement=movement, ts=ts, action=action, ward=ward, uf=uf))
    return "\r".join(segments) + "\r"


def write(tmp_path, name, *messages, separator="\r"):
    path = tmp_path / name
    path.write_bytes("".join(messages).replace("\r", separator).encode("utf-8"))
    return path


def census_ipps(store):
    return [row.patient.ipp for row in store.census()]


def test_ans_admission_gives_the_documented_patient_on_the_census(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])
    (row,) = store.census()
    p = row.patient
    assert (p.birth_name, p.given_names, p.ipp, p.ins_nir) == (
        "PAT-TROIS", "DOMINIQUE", "000003", "279035121518989")
    assert p.identity_status.value == "VALI" and p.sex.value == "F"
    assert p.birth_date == date(1979, 3, 28) and p.birthplace_insee == "63220"
    assert p.address == "28 Av de Breteuil" and p.postcode == "75007" and p.city == "PARIS"
    assert row.ward.name == "Chir V" and row.ward.code == "6268"
    assert row.stay.nda == "000897406"
    assert row.stay.admitted_at.isoformat() == "2024-03-06T10:00:00+00:00"
    assert store.latest_snapshot().data_as_of.isoformat() == "2024-03-06T10:11:54+00:00"


@pytest.mark.parametrize("name", ["adt_a01_admission.er7", "adt_a01_consentement.er7",
                                  "adt_a03_sortie.er7", "oru_r01_cr_bio.hl7"])
def test_every_ans_sample_imports_on_a_fresh_database(store, samples_dir, name):
    (outcome,) = import_files(store, [samples_dir / ANS / name])
    assert not outcome.already_imported
    assert store.patient_by_ipp("000003") or store.counts()["patients"] == 1


def test_admission_then_discharge_leaves_the_census(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])
    assert census_ipps(store) == ["000003"]
    import_files(store, [samples_dir / ANS / "adt_a03_sortie.er7"])
    assert census_ipps(store) == []
    assert store.counts()["patients"] == 1 and store.counts()["stays"] == 1


def test_oru_attaches_to_the_admitted_patient_by_ins(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7",
                         samples_dir / ANS / "oru_r01_cr_bio.hl7"])
    assert store.counts()["patients"] == 1
    patient = store.patient_by_ipp("000003")
    observations = store.dossier(patient.id).observations
    assert [o.code for o in observations] == ["11502-2"]
    report = observations[0]
    assert report.value_text == "[document TEXT/XML]"  # the embedded CDA is not copied
    assert report.effective_at.isoformat() == "2021-06-06T07:31:00+00:00"


def test_same_file_twice_changes_nothing(store, samples_dir):
    path = samples_dir / ANS / "adt_a01_consentement.er7"
    import_files(store, [path])
    counts = store.counts()
    (again,) = import_files(store, [path])
    assert again.already_imported and store.counts() == counts


@pytest.mark.parametrize("separator", ["\r", "\n", "\r\n"])
def test_line_endings_and_mllp_framing_give_the_same_result(tmp_path, store, separator):
    text = message("A01", "1", "M1")
    import_files(store, [write(tmp_path, "a.hl7", text, separator=separator)])
    framed = tmp_path / "framed.hl7"
    framed.write_bytes(b"\x0b" + text.encode() + b"\x1c\r" + b"\x0b"
                       + message("A08", "2", name="MARTINEZ").encode() + b"\x1c\r")
    import_files(store, [framed])
    (row,) = store.census()
    assert (row.stay.room, row.stay.bed, row.ward.name) == ("12", "A", "Cardiologie")
    assert row.patient.birth_name == "MARTINEZ" and row.patient.used_name == "DURAND"
    assert row.patient.given_names == "Lucie Anne"


def test_transfer_and_its_cancellation(tmp_path, store):
    import_files(store, [write(tmp_path, "a01.hl7", message("A01", "1", "M1"))])
    import_files(store, [write(tmp_path, "a02.hl7", message(
        "A02", "2", "M2", ts="20261123100000", room="30", bed="B", ward="Pneumologie",
        uf="1301"))])
    (row,) = store.census()
    assert (row.ward.name, row.stay.room, row.stay.bed) == ("Pneumologie", "30", "B")
    import_files(store, [write(tmp_path, "a12.hl7", message(
        "A12", "3", "M2", action="CANCEL", ts="20261123103000"))])
    (row,) = store.census()
    assert (row.ward.name, row.stay.room, row.stay.bed) == ("Cardiologie", "12", "A")


def test_discharge_cancellation_and_admission_cancellation(tmp_path, store):
    import_files(store, [write(tmp_path, "a01.hl7", message("A01", "1", "M1"))])
    import_files(store, [write(tmp_path, "a03.hl7", message("A03", "2", "M3",
                                                             ts="20261123120000"))])
    assert census_ipps(store) == []
    import_files(store, [write(tmp_path, "a13.hl7", message("A13", "3", "M3", action="CANCEL"))])
    assert census_ipps(store) == ["000042"]
    import_files(store, [write(tmp_path, "a11.hl7", message("A11", "4", "M1", action="CANCEL"))])
    assert census_ipps(store) == []


def test_cancellations_without_zbe_still_find_their_movement(tmp_path, store):
    def without_zbe(trigger, control):
        return message(trigger, control).replace("PV1|1|I|^", "PV1|1|I|CARDIO^")

    import_files(store, [write(tmp_path, "a01.hl7", without_zbe("A01", "1"))])
    assert census_ipps(store) == ["000042"] and store.census()[0].ward.name == "CARDIO"
    import_files(store, [write(tmp_path, "a11.hl7", without_zbe("A11", "2"))])
    assert census_ipps(store) == []


def rejected(store, tmp_path, text, name="bad.hl7"):
    before = store.counts()
    with pytest.raises(FileRejected) as caught:
        import_files(store, [write(tmp_path, name, text)])
    assert store.counts() == before
    return caught.value.message()


def test_bad_birth_date_names_file_segment_field_and_value(tmp_path, store):
    text = message("A01", "1", "M1").replace("|19790328|", "|19791332|")
    error = rejected(store, tmp_path, text)
    assert error.startswith(str(tmp_path / "bad.hl7"))
    assert "ligne 3, segment PID, champ PID-7" in error and "« 19791332 »" in error


def test_invalid_nir_key_is_refused(tmp_path, store):
    error = rejected(store, tmp_path,
                     message("A01", "1", "M1").replace("279035121518989", "279035121518988"))
    assert "PID-3" in error and "clé de contrôle" in error


def test_unsupported_message_type_is_named(tmp_path, store):
    error = rejected(store, tmp_path, message("A40", "1", "M1"))
    assert "MSH-9" in error and "ADT^A40" in error


def test_garbage_line_and_missing_msh(tmp_path, store):
    error = rejected(store, tmp_path, message("A01", "1", "M1") + "this is not a segment\r")
    assert "ligne 6" in error and "segment mal formé" in error
    error = rejected(store, tmp_path, "PID|1||000042^^^X^PI\rPV1|1|I\r", name="cut.hl7")
    assert "ligne 1" in error and "MSH" in error


def test_a_bad_second_message_rejects_the_whole_file(tmp_path, store):
    good = message("A01", "1", "M1")
    bad = message("A01", "2", "M9").replace("EVN||20261123080000", "EVN||2026").replace(
        "20261123080000", "2026112399")
    error = rejected(store, tmp_path, good + bad)
    assert "ligne 6" in error
    assert store.counts()["patients"] == 0 and store.census() == []


def test_a_dangling_stay_in_a_later_file_keeps_earlier_data(tmp_path, store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])
    before = store.counts()
    text = message("A01", "1", "M1").replace("|F|||", "|X|||")
    with pytest.raises(FileRejected):
        import_files(store, [write(tmp_path, "bad.hl7", text)])
    assert store.counts() == before and census_ipps(store) == ["000003"]


@pytest.mark.parametrize("text, expected", [
    ("20240306111154", "2024-03-06T11:11:54+01:00"),
    ("202403061111", "2024-03-06T11:11:00+01:00"),
    ("20240306111154.25+0000", "2024-03-06T11:11:54.250000+00:00"),
    ("20240706", "2024-07-06T00:00:00+02:00"),
])
def test_hl7_timestamps(text, expected):
    assert parse_timestamp(text).isoformat() == expected


@pytest.mark.parametrize("text", ["2024130611", "20240230", "2024-03-06", "20240306256000"])
def test_impossible_timestamps_are_refused(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)
