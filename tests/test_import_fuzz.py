"""Imports that never crash: the real samples and the demo's exports, mutated, end in a stored
snapshot or one clear message naming the file, where in it and what is wrong, in French and in
English; never a traceback. Then each kind of crash issue 12 found, one by one, with the message
it now gets.

The fuzz tests are driven by Hypothesis with a fixed seed (``derandomize``) and a bounded
number of inputs, so CI sees the same inputs every run; ``bench/bench_fuzz_import.py`` tries
100,000 and prints the crashes and the slowest input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reentry import i18n
from reentry.errors import FileRejected, UserError
from reentry.importing import import_files, limits
from reentry.reconcile.items_table import read_item_table
from reentry.reconcile_run import read_sih_and_patients

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_fuzz_import as fuzz  # noqa: E402

INPATIENT = "fhir-r4/inpatient_us_quality_core.json"
SYNTHEA = "fhir-r4/synthea_complete_patient.json"
ADMISSION = "hl7v2-ans/adt_a01_admission.er7"
LAB = "hl7v2-ans/oru_r01_cr_bio.hl7"
# Problems that concern the whole file: every other message names a line, segment or element.
WHOLE_FILE = {"error.unknown_format", "problem.empty_file", "problem.not_hl7",
              "problem.not_fhir", "importing.too_large", "error.unreadable_file",
              "importing.not_a_file", "importing.not_found", "importing.no_permission",
              "problem.missing_reference", "fhir.too_deep"}
FUZZ = settings(max_examples=120, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TEXT_PAYLOADS = st.one_of(st.none(), st.sampled_from(fuzz.TEXTS), st.text(max_size=30))
JSON_PAYLOADS = st.one_of(
    st.none(), st.sampled_from(fuzz.JSON_VALUES),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6))


@pytest.fixture(scope="module")
def seeds(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """The real samples and what a small demo outage exports, by format."""
    found = fuzz.sample_seeds(samples_dir) + fuzz.demo_seeds(tmp_path_factory.mktemp("demo"))
    by_format: dict[str, list] = {}
    for seed in found:
        by_format.setdefault(seed.format, []).append(seed)
    assert set(by_format) == {"fhir", "hl7v2", "csv"}
    return by_format


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory):
    """One real SQLite store that every fuzzed input is imported into, as a ward PC would."""
    from reentry.store import open_store

    store = open_store(tmp_path_factory.mktemp("store") / "fuzz.sqlite")
    yield store
    store.close()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzed")


def _fuzzed(data: st.DataObject, seeds: list) -> bytes:
    """One seed and one to three mutations, each with its random seed and payload drawn."""
    seed = data.draw(st.sampled_from(seeds), label="seed file")
    content = seed.data
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutation = data.draw(st.sampled_from(fuzz.mutations_for(seed)), label="mutation")
        payloads = JSON_PAYLOADS if mutation is fuzz.json_value else TEXT_PAYLOADS
        payload = data.draw(payloads, label="payload")
        random_seed = data.draw(st.integers(0, 2 ** 32), label="random seed")
        content = mutation(content, fuzz.random.Random(random_seed), payload)
    return content


def _check_message(error: UserError, path: Path) -> None:
    """A message a person can act on: complete in both languages, naming the file and where."""
    assert fuzz.message_problems(error) == []
    for language in i18n.LANGUAGES:
        assert "Traceback" not in error.message(language)
    if isinstance(error, FileRejected):
        assert error.file == str(path)
        assert error.message("fr").startswith(str(path))
        if error.where.id == "where.file":
            assert error.problem.id in WHOLE_FILE, error.message("en")


def _import_and_read(store, path: Path, content: bytes) -> None:
    path.write_bytes(content)
    try:
        import_files(store, [path])
    except UserError as error:
        _check_message(error, path)
    try:
        read_sih_and_patients([path])
        if path.suffix == ".csv":
            read_item_table(path, paper=True)
    except UserError as error:
        _check_message(error, path)


@FUZZ
@given(data=st.data())
def test_fuzzed_fhir_files_end_in_a_snapshot_or_a_message(data, seeds, fuzz_store, fuzz_dir):
    _import_and_read(fuzz_store, fuzz_dir / "fuzzed.json", _fuzzed(data, seeds["fhir"]))


@FUZZ
@given(data=st.data())
def test_fuzzed_hl7_files_end_in_a_snapshot_or_a_message(data, seeds, fuzz_store, fuzz_dir):
    _import_and_read(fuzz_store, fuzz_dir / "fuzzed.hl7", _fuzzed(data, seeds["hl7v2"]))


@FUZZ
@given(data=st.data())
def test_fuzzed_csv_files_end_in_a_snapshot_or_a_message(data, seeds, fuzz_store, fuzz_dir):
    _import_and_read(fuzz_store, fuzz_dir / "fuzzed.csv", _fuzzed(data, seeds["csv"]))


# -- each kind of crash the first fuzzing found --------------------------------------------------


def rejection(store, path: Path, content: bytes | str) -> FileRejected:
    """The refusal of ``content``; checks that nothing of the file was stored."""
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    before = store.counts()
    with pytest.raises(FileRejected) as caught:
        import_files(store, [path])
    assert store.counts() == before
    _check_message(caught.value, path)
    return caught.value


def bundle(samples_dir: Path, name: str = INPATIENT) -> dict:
    return json.loads((samples_dir / name).read_text(encoding="utf-8"))


def resource(document: dict, kind: str) -> dict:
    return next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind)


def test_json_nested_too_deep_is_refused_naming_its_line(store, tmp_path, samples_dir):
    text = (samples_dir / INPATIENT).read_text(encoding="utf-8")
    at = text.index('"resourceType": "Patient"')
    deep = text[:at] + '"x": ' + "[" * 5000 + "]" * 5000 + ", " + text[at:]
    error = rejection(store, tmp_path / "deep.json", deep)
    line = text.count("\n", 0, at) + 1
    assert error.message("fr") == (
        f"{tmp_path / 'deep.json'} : ligne {line} : JSON imbriqué sur plus de 100 niveaux, ce "
        "qu'aucun export FHIR ne fait : le fichier est probablement endommagé ; demandez un "
        "nouvel export au SIH. Rien de ce fichier n'a été importé.")
    medium = text[:at] + '"x": ' + "[" * 500 + "]" * 500 + ", " + text[at:]
    assert rejection(store, tmp_path / "medium.json", medium).where == error.where


def test_json_integer_of_thousands_of_digits_is_refused_naming_its_line(store, tmp_path,
                                                                        samples_dir):
    text = json.dumps(bundle(samples_dir), indent=1)
    at = text.index('"gender"')
    error = rejection(store, tmp_path / "long.json",
                      text[:at] + '"x": ' + "9" * 5000 + ", " + text[at:])
    assert error.where.render() == f"ligne {text.count(chr(10), 0, at) + 1}"
    assert error.problem.render() == ("nombre de plus de 4300 chiffres : le fichier est "
                                      "probablement endommagé ; demandez un nouvel export au SIH")


def test_huge_and_non_finite_numbers_are_bad_numbers(store, tmp_path, samples_dir):
    document = bundle(samples_dir)
    observation = next(e["resource"] for e in document["entry"]
                       if e["resource"]["resourceType"] == "Observation"
                       and "valueQuantity" in e["resource"])
    observation["valueQuantity"]["value"] = 10 ** 400
    error = rejection(store, tmp_path / "huge.json", json.dumps(document))
    assert error.where.render() == (f"ressource Observation/{observation['id']}, "
                                    "élément valueQuantity.value")
    assert error.problem.render().startswith("nombre invalide « 1000000000")
    text = json.dumps(document).replace("1" + "0" * 400, "1e999")
    error = rejection(store, tmp_path / "infinite.json", text)
    assert error.problem.render() == "nombre invalide « inf »"


def test_a_dosage_rhythm_of_huge_numbers_gives_no_planned_times(store, tmp_path, samples_dir):
    document = bundle(samples_dir)
    for entry in document["entry"]:
        if entry["resource"]["resourceType"] == "MedicationRequest":
            entry["resource"]["dosageInstruction"] = [{"timing": {"repeat": {
                "frequency": 10 ** 400, "period": 1e-300, "periodUnit": "h"}}}]
    path = tmp_path / "rhythm.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    import_files(store, [path])
    patient = store.census()[0].patient
    schedules = [p.schedule for p in store.dossier(patient.id).prescriptions]
    assert schedules and all(schedule == () for schedule in schedules)


@pytest.mark.parametrize("element, value, where, found", [
    ("identifier", 1.5, "identifier", "le nombre 1.5"),
    ("gender", ["female"], "gender", "une liste"),
    ("name", {"family": "X"}, "name", "un objet"),
])
def test_a_patient_element_of_the_wrong_json_type_is_named(store, tmp_path, samples_dir,
                                                           element, value, where, found):
    document = bundle(samples_dir)
    patient = resource(document, "Patient")
    patient[element] = value
    error = rejection(store, tmp_path / "types.json", json.dumps(document))
    assert error.where.render() == f"ressource Patient/{patient['id']}, élément {where}"
    assert error.problem.render().startswith("type JSON inattendu (attendu : ")
    assert error.problem.render().endswith(f"trouvé : {found})")


def test_a_list_where_a_code_is_expected_names_the_coding(store, tmp_path, samples_dir):
    document = bundle(samples_dir, SYNTHEA)
    observation = resource(document, "Observation")
    observation["code"]["coding"][0]["code"] = ["8867-4"]
    error = rejection(store, tmp_path / "code.json", json.dumps(document))
    assert error.where.render().endswith("élément code.coding[0].code")
    assert error.problem.render() == ("type JSON inattendu (attendu : une valeur simple (texte, "
                                      "nombre ou booléen) ; trouvé : une liste)")
    with i18n.language("en"):
        assert error.problem.render() == ("unexpected JSON type (expected: a simple value (text,"
                                          " number or boolean); found: a list)")


def test_odd_encoding_characters_are_refused_at_msh_2(store, tmp_path, samples_dir):
    text = (samples_dir / ADMISSION).read_text(encoding="utf-8")
    assert text.startswith("MSH|^~\\&|")
    error = rejection(store, tmp_path / "msh.hl7", "MSH|^^^^|" + text[len("MSH|^~\\&|"):])
    assert error.where.render() == "ligne 1, segment MSH, champ MSH-2"
    assert error.problem.render().startswith("caractères de codage invalides « ^^^^ »")


def test_an_hl7_file_on_one_line_is_refused_quickly_for_what_it_lacks(store, tmp_path,
                                                                      samples_dir):
    """Segments glued on one line (separators lost): a few megabytes read in a moment, refused
    for the PID the one "MSH" segment lacks (timed by bench/bench_fuzz_import.py, not here)."""
    one_line = (samples_dir / ADMISSION).read_text(encoding="utf-8").replace("\r", "")
    one_line = one_line.replace("\n", "") * 4000
    error = rejection(store, tmp_path / "one-line.hl7", one_line)
    assert error.where.render() == "ligne 1, segment MSH"
    assert error.problem.render() == "segment obligatoire absent : PID"


def test_escapes_are_read_and_a_bad_one_is_dropped(store, tmp_path, samples_dir):
    text = (samples_dir / ADMISSION).read_text(encoding="utf-8")
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    pid = next(i for i, line in enumerate(lines) if line.startswith("PID|"))
    fields = lines[pid].split("|")
    family = fields[5].split("^")
    family[0] = "O\\XZZ\\\\S\\NEIL\\.sp99999999\\"
    fields[5] = "^".join(family)
    lines[pid] = "|".join(fields)
    path = tmp_path / "escapes.hl7"
    path.write_text("\r".join(lines), encoding="utf-8")
    import_files(store, [path])
    assert store.census()[0].patient.birth_name == "O^NEIL"


def test_a_csv_value_past_the_field_limit_names_its_line(store, tmp_path):
    text = ("ipp,substance,reaction\n100001,Pénicilline,urticaire\n"
            f'100002,"{"x" * 200_000},urticaire\n')
    error = rejection(store, tmp_path / "big.csv", text)
    assert error.where.render() == "ligne 3"
    assert error.problem.render().startswith("une valeur dépasse 131 072 caractères")
    items = tmp_path / "items.csv"
    items.write_text("record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
                     "r1,100001,,nursing_note,,,,,2026-11-23T10:00:00+01:00,AB,Calme.,en trop\n"
                     f'r2,100001,,nursing_note,,,,,2026-11-23T11:00:00+01:00,AB,"{"x" * 200_000}\n',
                     encoding="utf-8")
    # uneven rows: pyarrow, when installed, leaves the file to the csv module, which names it
    for read in (lambda: read_sih_and_patients([items]), lambda: read_item_table(items)):
        with pytest.raises(FileRejected) as caught:
            read()
        assert caught.value.where.render() == "ligne 3"
        assert caught.value.problem.id == "csv.field_too_large"


def test_a_stay_of_another_patient_names_its_line(store, tmp_path):
    header = "ipp;nda;birth_name;given_names;birth_date;sex;site;ward;room;bed\n"
    first = tmp_path / "census-1.csv"
    first.write_text(header + "100001;200001;MARTIN;Marie;12/04/1950;F;NORD;1201;10;A\n",
                     encoding="utf-8")
    import_files(store, [first])
    error = rejection(store, tmp_path / "census-2.csv", header
                      + "100003;200003;PETIT;Paul;01/02/1960;M;NORD;1201;11;A\n"
                      + "100002;200001;BERNARD;Jean;02/01/1961;M;NORD;1201;12;B\n")
    assert error.message("fr") == (
        f"{tmp_path / 'census-2.csv'} : ligne 3, colonne « nda » : le séjour 200001 appartient "
        "déjà à un autre patient dans la base ; signalez-le à la cellule d'identitovigilance. "
        "Rien de ce fichier n'a été importé.")


def test_a_stay_of_another_patient_names_its_hl7_segment(store, tmp_path, samples_dir):
    text = (samples_dir / ADMISSION).read_text(encoding="utf-8")
    import_files(store, [samples_dir / ADMISSION])
    ipp = store.census()[0].patient.ipp
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    pid = next(i for i, line in enumerate(lines) if line.startswith("PID|"))
    lines[pid] = lines[pid].replace(ipp, "999" + ipp).replace("1.2.250.1.213.1.4.10", "x")
    error = rejection(store, tmp_path / "other.hl7", "\r".join(lines))
    pv1 = next(i for i, line in enumerate(lines) if line.startswith("PV1|")) + 1
    assert error.where.render() == f"ligne {pv1}, segment PV1, champ PV1-19"
    assert error.problem.id == "problem.stay_of_another_patient"


def test_a_file_over_the_size_limit_says_what_to_do(store, tmp_path, samples_dir, monkeypatch):
    monkeypatch.setattr("reentry.importing.source.MAX_FILE_BYTES", 1024 * 1024)
    error = rejection(store, tmp_path / "big.hl7",
                      (samples_dir / LAB).read_bytes() * 4)
    assert error.where.id == "where.file"
    assert error.problem.render() == (
        "le fichier pèse 1 Mo, plus que les 1 Mo qu'accepte l'import ; découpez l'export (par "
        "unité ou par jour) et importez les parties une à une")
    assert limits.MAX_FILE_BYTES == 256 * 1024 * 1024


@pytest.mark.parametrize("path, problem", [
    ("/dev/zero", "ce n'est pas un fichier (un dossier ou un périphérique) ; choisissez le "
                  "fichier exporté par le SIH"),
    ("missing.json", "fichier introuvable ; vérifiez le chemin, ou que l'export du SIH est bien "
                     "arrivé"),
])
def test_what_is_not_a_readable_file_is_said_so(store, tmp_path, path, problem):
    target = tmp_path / path  # an absolute path stays itself
    with pytest.raises(FileRejected) as caught:
        import_files(store, [target])
    assert caught.value.problem.render() == problem


def test_reentry_import_prints_one_french_line_and_no_traceback(store, db_path, tmp_path):
    from reentry.cli import cli

    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    assert "JSON imbriqué sur plus de 100 niveaux" in result.output
    assert len(result.output.strip().splitlines()) == 1
