"""HL7 v2.5 PAM FR import, end to end into a real SQLite store: the real ANS samples, synthetic
messages shaped like them, and files that must be rejected whole."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from reentry.errors import FileRejected
from reentry.importing import hl7v2, import_files, parser_for
from reentry.importing.hl7v2_segments import parse_timestamp
from reentry.importing.source import SourceFile
from reentry.nir import make_nir

ANS = "hl7v2-ans"
NIR = make_nir("2850169123045")  # synthetic, valid key
BAD_KEY_NIR = NIR[:13] + f"{(int(NIR[13:]) + 1) % 100:02d}"

MSH = ("MSH|^~\\&|GAM|CHU-Y|DPI|CHU-Y|{ts}||{kind}|{control}|P|2.5^FRA^2.11"
       "|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM")
PID = ("PID|1||000042^^^CHU-Y&000111222&N^PI~{nir}^^^ASIP-SANTE-INS-NIR&"
       "1.2.250.1.213.1.4.10&ISO^INS||{name}^Lucie^Lucie Anne^^^^L~DURAND^^^^^^D||{birth}|{sex}"
       "|||3 rue Haute^^LYON^^69001^FRA^H~^^^^^^BDL^^69123|||||||||||||||||||||{status}")
PV1 = "PV1|1|I|^{room}^{bed}^CHU-Y&000111222&M||||||||||||||||{nda}^^^CHU-Y&000111222&M^VN"
ZBE = ("ZBE|{movement}^CHU-Y^000111222|{ts}||{action}|N|{original}|"
       "{ward}^^^^^CHU-Y&000111222&N^UF^^^{uf}|{ward}^^^^^CHU-Y&000111222&N^UF^^^{uf}|HMS")


def adt(trigger, control, movement=None, action="INSERT", ts="20261123080000", room="12",
        bed="A", ward="Cardiologie", uf="1201", name="MARTIN", birth="19850128", sex="F",
        status="VALI", nda="555000111", nir=NIR, original="", extra=()):
    """One ADT message shaped like the ANS samples (with a ZBE when ``movement`` is given)."""
    segments = [MSH.format(ts=ts, kind=f"ADT^{trigger}^ADT_A01", control=control),
                f"EVN||{ts}",
                PID.format(name=name, birth=birth, sex=sex, status=status, nir=nir),
                PV1.format(room=room, bed=bed, nda=nda), *extra]
    if movement is not None:
        segments.append(ZBE.format(movement=movement, ts=ts, action=action, ward=ward, uf=uf,
                                   original=original))
    return "\r".join(segments) + "\r"


def oru(control, *obx, ids=f"000042^^^CHU-Y^PI~{NIR}^^^INS-NIR&1.2.250.1.213.1.4.10&ISO^INS",
        obr_time="", ts="20261123093000", pv1=True):
    segments = [MSH.format(ts=ts, kind="ORU^R01^ORU_R01", control=control),
                f"PID|||{ids}||MARTIN^Lucie^Lucie Anne^^^^L||19850128|F"]
    if pv1:
        segments.append("PV1|1|I|CARDIO||||||||||||||||555000111^^^CHU-Y^VN")
    segments += [f"OBR|1||LAB-1^labo|24331-1^Bilan^LN|||{obr_time}", *obx]
    return "\r".join(segments) + "\r"


def write(tmp_path, name, *messages, separator="\r"):
    path = tmp_path / name
    path.write_bytes("".join(messages).replace("\r", separator).encode("utf-8"))
    return path


def imported(store, tmp_path, name, *messages):
    return import_files(store, [write(tmp_path, name, *messages)])[0]


def census(store):
    return [(r.patient.ipp, r.ward.name, r.stay.room, r.stay.bed) for r in store.census()]


def rejected(store, tmp_path, text, name="bad.hl7"):
    """The French message of the rejection; checks that nothing of the file was stored."""
    before = store.counts()
    with pytest.raises(FileRejected) as caught:
        import_files(store, [write(tmp_path, name, text)])
    assert store.counts() == before
    message = caught.value.message()
    assert message.startswith(str(tmp_path / name))
    return message


def test_hl7_files_are_read_by_this_importer():
    assert parser_for("hl7v2") is hl7v2.parse


# -- the real ANS samples -----------------------------------------------------------------------


def test_ans_admission_gives_the_documented_patient_on_the_census(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])

    [row] = store.census()
    p = row.patient
    assert (p.birth_name, p.given_names, p.ipp, p.ins_nir) == (
        "PAT-TROIS", "DOMINIQUE", "000003", "279035121518989")
    assert (p.identity_status.value, p.sex.value, p.birth_date, p.birthplace_insee) == (
        "VALI", "F", date(1979, 3, 28), "63220")
    assert (p.address, p.postcode, p.city, p.used_name) == (
        "28 Av de Breteuil", "75007", "PARIS", None)
    assert (row.ward.name, row.ward.code, row.site.name) == ("Chir V", "6268", "CHU-X")
    assert row.stay.nda == "000897406"
    assert row.stay.admitted_at.isoformat() == "2024-03-06T10:00:00+00:00"  # ZBE-2, Paris time
    assert store.latest_snapshot().data_as_of.isoformat() == "2024-03-06T10:11:54+00:00"


@pytest.mark.parametrize("name, expected", [
    ("adt_a01_admission.er7", {"patients": 1, "stays": 1, "movements": 1, "observations": 0}),
    ("adt_a01_consentement.er7", {"patients": 1, "stays": 1, "movements": 1, "observations": 0}),
    ("adt_a03_sortie.er7", {"patients": 1, "stays": 1, "movements": 1, "observations": 0}),
    ("oru_r01_cr_bio.hl7", {"patients": 1, "stays": 1, "movements": 0, "observations": 1}),
])
def test_every_ans_sample_imports_on_a_fresh_database(store, samples_dir, name, expected):
    [outcome] = import_files(store, [samples_dir / ANS / name])
    assert not outcome.already_imported
    assert {key: store.counts()[key] for key in expected} == expected


def test_consent_sample_with_pd1_rol_and_z_segments_admits_the_patient(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_consentement.er7"])
    assert census(store) == [("000003", "Chir V", None, None)]


def test_discharge_sample_with_shifted_zbe_is_read_as_a_discharge(samples_dir):
    batch = hl7v2.parse(SourceFile.read(samples_dir / ANS / "adt_a03_sortie.er7"))
    [movement] = batch.movements
    assert (movement.movement_id, movement.kind.value, movement.cancelled) == (
        "002", "discharge", False)
    assert movement.ward_code == "8782"  # UF of the ward, one field later than the profile says


def test_a_shifted_zbe_is_read_one_field_further(tmp_path, store):
    """Like the ANS discharge: an extra date in ZBE-3 pushes the action and the wards along."""
    shifted = ("ZBE|M2^CHU-Y|20261123100000|20261123100500||INSERT|N||"
               "Cardiologie^^^^^CHU-Y&000111222&N^UF^^^1201|USIC^^^^^CHU-Y&000111222&N^UF^^^1299"
               "||HMS\r")
    imported(store, tmp_path, "a01.hl7", adt("A01", "1", "M1"))
    imported(store, tmp_path, "a02.hl7", adt("A02", "2", room="3", bed="1") + shifted)
    assert census(store) == [("000042", "USIC", "3", "1")]  # the nursing ward, not the medical


def test_admission_then_discharge_leaves_the_census(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])
    assert census(store) == [("000003", "Chir V", None, None)]
    import_files(store, [samples_dir / ANS / "adt_a03_sortie.er7"])
    assert census(store) == []
    assert (store.counts()["patients"], store.counts()["stays"]) == (1, 1)


def test_oru_after_the_admission_attaches_to_the_same_patient(store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7",
                         samples_dir / ANS / "oru_r01_cr_bio.hl7"])
    assert store.counts()["patients"] == 1
    patient = store.patient_by_ipp("000003")
    [report] = store.dossier(patient.id).observations  # routing flags (MetaDMPMSS) skipped
    assert (report.code, report.label) == ("11502-2", "CR d'examens biologiques")
    assert report.value_text == "[document TEXT/XML]"  # the embedded CDA is never copied
    assert report.effective_at.isoformat() == "2021-06-06T07:31:00+00:00"  # MSH-7, Paris time
    assert report.nda == "000897406"
    # the lab's own (shorter) address never overwrites the identity the admission system holds
    assert (patient.address, patient.postcode) == ("28 Av de Breteuil", "75007")


def test_oru_alone_creates_the_patient_that_the_admission_then_completes(store, samples_dir):
    import_files(store, [samples_dir / ANS / "oru_r01_cr_bio.hl7"])
    assert store.counts()["patients"] == 1 and store.patient_by_ipp("000003") is None
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])
    assert store.counts()["patients"] == 1  # found by its INS, the IPP added
    patient = store.patient_by_ipp("000003")
    assert [o.code for o in store.dossier(patient.id).observations] == ["11502-2"]
    assert patient.address == "28 Av de Breteuil"  # the admission system's word wins


def test_same_file_twice_changes_nothing(store, samples_dir):
    path = samples_dir / ANS / "adt_a01_consentement.er7"
    import_files(store, [path])
    counts = store.counts()
    [again] = import_files(store, [path])
    assert again.already_imported and store.counts() == counts


# -- file shapes --------------------------------------------------------------------------------


def records_of(batch):
    return replace(batch, source="", content_hash="")


@pytest.mark.parametrize("separator", ["\n", "\r\n"])
def test_line_endings_give_the_same_records(tmp_path, separator):
    text = adt("A01", "1", "M1") + adt("A02", "2", "M2", room="30", ts="20261123100000")
    reference = hl7v2.parse(SourceFile.read(write(tmp_path, "cr.hl7", text)))
    other = hl7v2.parse(SourceFile.read(write(tmp_path, "other.hl7", text, separator=separator)))
    assert records_of(other) == records_of(reference)
    assert len(reference.movements) == 2


def test_mllp_frames_and_blank_lines_give_the_same_records(tmp_path, store):
    first, second = adt("A01", "1", "M1"), adt("A08", "2", name="MARTINEZ")
    plain = hl7v2.parse(SourceFile.read(write(tmp_path, "plain.hl7", first, second)))
    framed_path = tmp_path / "framed.hl7"
    framed_path.write_bytes(b"\x0b" + first.encode() + b"\x1c\r\n\r\n\x0b" + second.encode()
                            + b"\x1c\r")
    assert records_of(hl7v2.parse(SourceFile.read(framed_path))) == records_of(plain)

    import_files(store, [framed_path])
    [row] = store.census()
    assert (row.patient.birth_name, row.patient.used_name, row.patient.given_names) == (
        "MARTINEZ", "DURAND", "Lucie Anne")


def test_an_error_in_an_mllp_framed_file_names_the_line_an_editor_shows(tmp_path, store):
    text = "\x0b" + adt("A01", "1", "M1") + "\x1c\r\x0b" + adt("A01", "2", "M2").replace(
        "|19850128|", "|19851328|") + "\x1c\r"
    error = rejected(store, tmp_path, text)
    assert "ligne 9, segment PID, champ PID-7" in error  # 5 segments, the frame end, MSH, EVN


def test_batch_envelope_segments_are_accepted(tmp_path, store):
    text = "FHS|^~\\&|GAM\rBHS|^~\\&|GAM\r" + adt("A01", "1", "M1") + "BTS|1\rFTS|1\r"
    imported(store, tmp_path, "batch.hl7", text)
    assert census(store) == [("000042", "Cardiologie", "12", "A")]


def test_several_messages_in_one_file_follow_each_other(tmp_path, store):
    outcome = imported(store, tmp_path, "day.hl7", adt("A01", "1", "M1"),
                       adt("A02", "2", "M2", ts="20261123143000", room="30", bed="B",
                           ward="Pneumologie", uf="1301"))
    assert census(store) == [("000042", "Pneumologie", "30", "B")]
    assert outcome.snapshot.data_as_of == datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # last MSH-7
    [row] = store.census()
    assert row.stay.admitted_at.isoformat() == "2026-11-23T07:00:00+00:00"


# -- movements and their cancellations ----------------------------------------------------------


def test_transfer_and_its_cancellation_put_the_patient_back(tmp_path, store):
    imported(store, tmp_path, "a01.hl7", adt("A01", "1", "M1"))
    imported(store, tmp_path, "a02.hl7", adt("A02", "2", "M2", ts="20261123100000", room="30",
                                             bed="B", ward="Pneumologie", uf="1301"))
    assert census(store) == [("000042", "Pneumologie", "30", "B")]
    imported(store, tmp_path, "a12.hl7", adt("A12", "3", "M2", action="CANCEL",
                                             ts="20261123103000"))
    assert census(store) == [("000042", "Cardiologie", "12", "A")]


def test_discharge_cancelled_then_admission_cancelled(tmp_path, store):
    imported(store, tmp_path, "a01.hl7", adt("A01", "1", "M1"))
    imported(store, tmp_path, "a03.hl7", adt("A03", "2", "M3", ts="20261123120000"))
    assert census(store) == []
    imported(store, tmp_path, "a13.hl7", adt("A13", "3", "M3", action="CANCEL"))
    assert census(store) == [("000042", "Cardiologie", "12", "A")]
    imported(store, tmp_path, "a11.hl7", adt("A11", "4", "M1", action="CANCEL"))
    assert census(store) == []
    assert store.counts()["stays"] == 1


def test_without_zbe_the_stay_names_admission_and_discharge(tmp_path, store):
    def without_zbe(trigger, control, ts="20261123080000"):
        return adt(trigger, control, ts=ts).replace("PV1|1|I|^", "PV1|1|I|CARDIO^")

    imported(store, tmp_path, "a01.hl7", without_zbe("A01", "1"))
    assert census(store) == [("000042", "CARDIO", "12", "A")]
    [row] = store.census()
    assert row.site.code == "000111222"  # PV1-3.4, the facility
    imported(store, tmp_path, "a11.hl7", without_zbe("A11", "2", ts="20261123090000"))
    assert census(store) == []


def test_a_cancelled_transfer_without_zbe_is_refused(tmp_path, store):
    error = rejected(store, tmp_path, adt("A12", "3"))
    assert "ADT^A12" in error and "ZBE-1" in error


def test_z99_updates_the_movement_it_names(tmp_path, store):
    imported(store, tmp_path, "a01.hl7", adt("A01", "1", "M1"))
    imported(store, tmp_path, "z99.hl7", adt("Z99", "2", "M1", action="UPDATE", original="A01",
                                             room="14", bed="B"))
    assert census(store) == [("000042", "Cardiologie", "14", "B")]
    assert store.counts()["movements"] == 1


def test_a06_on_the_same_stay_moves_the_patient_but_a_change_of_stay_is_refused(tmp_path, store):
    imported(store, tmp_path, "a04.hl7", adt("A04", "1", "M1", ward="Urgences", uf="0100"))
    imported(store, tmp_path, "a06.hl7", adt("A06", "2", "M2", ts="20261123090000"))
    assert census(store) == [("000042", "Cardiologie", "12", "A")]
    error = rejected(store, tmp_path, adt("A06", "3", "M3", nda="555000999",
                                          extra=["MRG|000042^^^CHU-Y^PI||||555000111"]))
    assert "MRG-5" in error and "555000111" in error and "555000999" in error


def test_identity_messages_update_the_patient_without_a_stay(tmp_path, store):
    imported(store, tmp_path, "a05.hl7", adt("A05", "1"))
    assert census(store) == [] and store.counts()["stays"] == 0
    imported(store, tmp_path, "a01.hl7", adt("A01", "2", "M1"))
    imported(store, tmp_path, "a08.hl7", adt("A08", "3", name="MARTIN-DURAND", status="QUAL"))
    patient = store.patient_by_ipp("000042")
    assert (patient.birth_name, patient.used_name, patient.identity_status.value) == (
        "MARTIN-DURAND", "DURAND", "QUAL")
    assert census(store) == [("000042", "Cardiologie", "12", "A")]


def test_a_timestamp_with_an_offset_is_honoured(tmp_path, store):
    imported(store, tmp_path, "a01.hl7", adt("A01", "1", "M1", ts="20261123080000+0000"))
    [row] = store.census()
    assert row.stay.admitted_at.isoformat() == "2026-11-23T08:00:00+00:00"


# -- identity ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status, expected", [
    ("VALI~HOMD", "VALI"), ("DOUT~PROV", "PROV"), ("RECUP", "RECUP"), ("VIDE", None), ("", None)])
def test_identity_status_ignores_identity_attributes(tmp_path, status, expected):
    batch = hl7v2.parse(SourceFile.read(write(tmp_path, "a.hl7", adt("A08", "1", status=status))))
    found = batch.patients[0].identity_status
    assert (found.value if found else None) == expected


def test_sex_o_is_unknown_and_a_partial_birth_date_is_not_guessed(tmp_path):
    batch = hl7v2.parse(SourceFile.read(write(tmp_path, "a.hl7",
                                              adt("A08", "1", sex="O", birth="1985"))))
    [patient] = batch.patients
    assert (patient.sex.value, patient.birth_date) == ("U", None)


def test_hl7_escapes_in_names_are_decoded(tmp_path):
    batch = hl7v2.parse(SourceFile.read(write(tmp_path, "a.hl7",
                                              adt("A08", "1", name="MARTIN\\T\\FILS"))))
    assert batch.patients[0].birth_name == "MARTIN&FILS"


# -- observations --------------------------------------------------------------------------------


def test_oru_values_by_type_with_their_times(tmp_path, store):
    imported(store, tmp_path, "oru.hl7", oru(
        "77",
        "OBX|1|NM|2823-3^Potassium^LN||4,2|mmol/L^^UCUM|||||F|||20261123071500",
        "OBX|2|SN|2160-0^Creatinine^LN||<^5|umol/L|||||F",
        "OBX|3|SN|1988-5^CRP^LN||^12|mg/L|||||F",
        "OBX|4|CE|5778-6^Couleur^LN||YEL^Jaune^L||||||F",
        "OBX|5|TX|8251-1^Commentaire^LN||Hémolyse\\.br\\légère||||||F",
        "OBX|6|NM|2951-2^Sodium^LN||140|mmol/L|||||D",
        "OBX|7|CE|DESTDMP^Destinataire DMP^MetaDMPMSS||Y^^expandedYes-NoIndicator||||||F",
        "OBX|8|ED|11502-2^CR^LN||^APPLICATION^PDF^Base64^JVBERi0xLjQK||||||F",
    ))
    patient = store.patient_by_ipp("000042")
    found = {o.code: o for o in store.dossier(patient.id).observations}
    assert set(found) == {"2823-3", "2160-0", "1988-5", "5778-6", "8251-1", "11502-2"}
    assert (found["2823-3"].value, found["2823-3"].unit) == (4.2, "mmol/L")
    assert found["2823-3"].effective_at.isoformat() == "2026-11-23T06:15:00+00:00"  # OBX-14
    assert found["1988-5"].effective_at.isoformat() == "2026-11-23T08:30:00+00:00"  # MSH-7
    assert (found["2160-0"].value, found["2160-0"].value_text) == (None, "<5")
    assert found["1988-5"].value == 12.0
    assert found["5778-6"].value_text == "Jaune"
    assert found["8251-1"].value_text == "Hémolyse\nlégère"
    assert found["11502-2"].value_text == "[document APPLICATION/PDF]"
    assert {o.source_id for o in found.values()} >= {"hl7:GAM:77:OBX1", "hl7:GAM:77:OBX8"}


def test_each_obx_takes_the_time_of_its_own_order(tmp_path):
    text = oru("78", "OBX|1|NM|2823-3^Potassium^LN||4.2|mmol/L", obr_time="20261122060000")
    text += "OBR|2||LAB-2^labo|24331-1^Bilan^LN|||20261123060000\r"
    text += "OBX|2|NM|2823-3^Potassium^LN||4.6|mmol/L\r"
    batch = hl7v2.parse(SourceFile.read(write(tmp_path, "oru.hl7", text)))
    assert [(o.value, o.effective_at.day) for o in batch.observations] == [(4.2, 22), (4.6, 23)]


def test_oru_identified_by_ins_only_imports_on_a_fresh_database(tmp_path, store):
    ins_only = f"{NIR}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"
    imported(store, tmp_path, "oru.hl7", oru("79", "OBX|1|NM|8867-4^Pouls^LN||72|/min",
                                             ids=ins_only, pv1=False))
    assert (store.counts()["patients"], store.counts()["observations"]) == (1, 1)


@pytest.mark.parametrize("authority, expected", [
    ("", "LABO-77"),  # no authority set: the first PI, whoever assigned it
    ("CHU-Y", "000042"),  # the hospital's namespace
    ("000111222", "000042"),  # or its OID
])
def test_the_ipp_is_the_pi_of_the_hospitals_assigning_authority(tmp_path, store, monkeypatch,
                                                                authority, expected):
    monkeypatch.setenv("REENTRY_IPP_AUTHORITY", authority)
    ids = "LABO-77^^^LABO-EXT&999000111&ISO^PI~000042^^^CHU-Y&000111222&ISO^PI"
    imported(store, tmp_path, "oru.hl7", oru("81", "OBX|1|NM|8867-4^Pouls^LN||72|/min", ids=ids))
    assert store.patient_by_ipp(expected) is not None
    assert store.counts()["patients"] == 1


@pytest.mark.parametrize("ids, expected", [
    (f"{BAD_KEY_NIR}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS", "clé de contrôle"),
    ("^^^CHU-Y^PI", "patient sans IPP ni INS"),
])
def test_oru_without_a_usable_patient_identifier_is_refused(tmp_path, store, ids, expected):
    error = rejected(store, tmp_path, oru("80", "OBX|1|NM|8867-4^Pouls^LN||72|/min", ids=ids))
    assert "PID-3" in error and expected in error


# -- rejected files ------------------------------------------------------------------------------


def test_bad_birth_date_names_file_segment_field_and_value(tmp_path, store):
    error = rejected(store, tmp_path, adt("A01", "1", "M1", birth="19851332"))
    assert "ligne 3, segment PID, champ PID-7" in error and "« 19851332 »" in error


def test_invalid_nir_key_is_refused(tmp_path, store):
    error = rejected(store, tmp_path, adt("A01", "1", "M1", nir=BAD_KEY_NIR))
    assert "PID-3" in error and BAD_KEY_NIR in error and "clé de contrôle" in error


@pytest.mark.parametrize("kind, shown", [("ADT^A40^ADT_A39", "ADT^A40"), ("ACK^A01", "ACK^A01"),
                                         ("SIU^S12", "SIU^S12")])
def test_unsupported_message_type_is_named(tmp_path, store, kind, shown):
    error = rejected(store, tmp_path, adt("A01", "1", "M1").replace("ADT^A01^ADT_A01", kind))
    assert "champ MSH-9" in error and f"« {shown} »" in error
    assert "ORU^R01" in error  # and what is accepted


@pytest.mark.parametrize("garbage, line", [("this is not a segment", 6), ("pid|1", 6),
                                           ("PI|1||x", 6), ("PIDX|1", 6)])
def test_a_line_that_is_not_a_segment_is_refused(tmp_path, store, garbage, line):
    error = rejected(store, tmp_path, adt("A01", "1", "M1") + garbage + "\r")
    assert f"ligne {line}" in error and "segment mal formé" in error


def test_unknown_z_segments_are_ignored(tmp_path, store):
    imported(store, tmp_path, "z.hl7", adt("A01", "1", "M1") + "ZFA|ACTIF\rZXY|1|2\r")
    assert census(store) == [("000042", "Cardiologie", "12", "A")]


def test_a_truncated_file_without_msh_is_refused(tmp_path, store):
    error = rejected(store, tmp_path, "PID|1||000042^^^X^PI\rPV1|1|I\r", name="cut.hl7")
    assert "ligne 1" in error and "MSH" in error


@pytest.mark.parametrize("change, field", [
    (("INSERT|N|", "MOVE|N|"), "ZBE-4"),
    (("CHU-Y|20261123080000||", "CHU-Y|2026112399||"), "MSH-7"),
    (("|20261123080000||INSERT", "|20261123250000||INSERT"), "ZBE-2"),
    (("||VALI", "||SURE"), "PID-32"),
    (("|F|||", "|X|||"), "PID-8"),
])
def test_bad_values_name_their_field(tmp_path, store, change, field):
    text = adt("A01", "1", "M1").replace(*change)
    assert text != adt("A01", "1", "M1")
    assert f"champ {field}" in rejected(store, tmp_path, text)


def test_a_bad_second_message_rejects_the_whole_file(tmp_path, store, samples_dir):
    import_files(store, [samples_dir / ANS / "adt_a01_admission.er7"])
    good = adt("A01", "1", "M1")
    bad = adt("A02", "2", "M2", ts="20261123100000").replace("|19850128|", "|1985012|")
    error = rejected(store, tmp_path, good + bad)
    assert "ligne 8, segment PID, champ PID-7" in error
    assert census(store) == [("000003", "Chir V", None, None)]  # what was there is intact
    assert store.patient_by_ipp("000042") is None


def test_one_stay_number_on_two_patients_in_one_file_is_refused(tmp_path, store):
    other = adt("A01", "2", "M2", nir=make_nir("1920575056123")).replace("000042^", "000043^")
    error = rejected(store, tmp_path, adt("A01", "1", "M1") + other)
    assert "ligne 9, segment PV1" in error and "555000111" in error
    assert "identitovigilance" in error


def test_the_rejection_reads_in_english_too(tmp_path, store):
    from reentry import i18n

    with pytest.raises(FileRejected) as caught:
        imported(store, tmp_path, "bad.hl7", adt("A01", "1", "M1", birth="19851332"))
    i18n.set_language("en")
    assert "PID-7" in str(caught.value) and '"19851332"' in str(caught.value)


# -- timestamps ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("20240306111154", "2024-03-06T11:11:54+01:00"),
    ("202403061111", "2024-03-06T11:11:00+01:00"),
    ("20240306111154.25+0000", "2024-03-06T11:11:54.250000+00:00"),
    ("20240306111154-0400", "2024-03-06T11:11:54-04:00"),
    ("20240706", "2024-07-06T00:00:00+02:00"),
    ("2024", "2024-01-01T00:00:00+01:00"),
])
def test_hl7_timestamps(text, expected):
    assert parse_timestamp(text).isoformat() == expected


@pytest.mark.parametrize("text", ["2024130611", "20240230", "2024-03-06", "20240306256000",
                                  "2024030611115400", "20240306+01", "202403061111+2500", ""])
def test_impossible_timestamps_are_refused(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)
