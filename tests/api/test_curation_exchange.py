"""Import and export of all content (YAML in the seed format, and CSV): round trips without
loss, validation with every error listed, and nothing imported when anything is wrong."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from api.faq.seed import read_faq_files
from tests.api.error_support import import_problems
from tests.api.handoff_support import login, new_resident, new_staff
from tests.api.test_curation_editor import FEES, body, seed_question, translation

EXPORT = "/api/curation/export"
IMPORT = "/api/curation/import"


def export(staff: Any, **params: str) -> str:
    resp = staff.get(EXPORT, params=params)
    assert resp.status_code == 200, resp.text
    assert "attachment" in resp.headers["content-disposition"]
    return resp.text  # type: ignore[no-any-return]


def content(yaml_text: str) -> Any:
    return yaml.safe_load(yaml_text)  # the header comment (who, when) is not content


def do_import(staff: Any, data: str, fmt: str = "yaml", dry_run: bool = False) -> Any:
    return staff.post(
        IMPORT,
        content=data.encode("utf-8"),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        params={"format": fmt, "dry_run": str(dry_run).lower()},
    )


def curate_a_little(client: Any, staff: Any) -> Any:
    """A bit of everything an export must carry: a local version, a review, a retired entry,
    a coordinators' own topic, a bot text. Returns the Somali-speaking reviewer."""
    somali = login(client.app, new_staff("coordinator", ("so", "sv"), "solna"))
    assert (
        staff.put(
            f"{FEES}/solna/so",
            json={"title": "Ganaaxa Solna", "answer": "Solna: ganaax ma jiro.", "sms": "Solna: ganaax ma jiro."},
        ).status_code
        == 200
    )
    assert somali.post(f"{FEES}/solna/so/review").status_code == 200
    assert staff.post("/api/curation/entries/emedia.press/regional/state", json={"state": "retired"}).status_code == 200
    new = {
        "topic": "visit.pets",
        "area": "visit",
        "question": "May I bring my pet?",
        "title": "Djur",
        "questions": {"en": ["Can I bring my dog?"]},
    }
    assert staff.post("/api/curation/entries", json=new).status_code == 201
    assert staff.put("/api/curation/texts/thanks/sv", json={"text": "Varsågod! Fråga gärna igen."}).status_code == 200
    return somali


def review_times_dropped(doc: Any) -> Any:
    """An export without the review times (an import records its own review, now)."""
    for block in doc["faq"]:
        for item in block["entries"]:
            item.pop("reviewed_at", None)
    for block in doc["texts"]:
        for item in block["texts"].values():
            item.pop("reviewed_at", None)
    return doc


def test_yaml_round_trip_without_loss(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    speaker = curate_a_little(client, coordinator)
    first = export(coordinator)
    doc = content(first)
    assert doc["format"] == "bibliotekshjalpen-content" and doc["version"] == 1
    assert doc["topics"] == [{"id": "visit.pets", "area": "visit", "question": "May I bring my pet?"}]
    somali = next(f for f in doc["faq"] if f["language"] == "so")
    local = next(e for e in somali["entries"] if e["topic"] == "loan.fees" and e.get("library") == "solna")
    assert local["status"] == "reviewed" and local["reviewed_by"] and local["reviewed_at"]
    sv = next(f for f in doc["faq"] if f["language"] == "sv" and not f.get("variant"))
    assert next(e for e in sv["entries"] if e["topic"] == "emedia.press")["state"] == "retired"
    assert next(f for f in doc["faq"] if f.get("variant") == "easy")["language"] == "sv"

    # The same file again changes nothing (and writes no history).
    history_before = len(coordinator.get("/api/curation/changes?limit=500").json())
    again = do_import(coordinator, first)
    assert again.status_code == 200, again.text
    assert again.json()["changed"] == 0 and again.json()["unchanged"] > 500
    assert len(coordinator.get("/api/curation/changes?limit=500").json()) == history_before

    # Change things, import the first export: everything is as it was.
    so = translation(coordinator.get(FEES).json(), "solna", "so")
    assert so is not None
    coordinator.put(f"{FEES}/solna/so", json=body(so, answer="Something else"))
    coordinator.post("/api/curation/entries/emedia.press/regional/state", json={"state": "live"})
    sv_fees = translation(coordinator.get(FEES).json(), "regional", "sv")
    coordinator.put(f"{FEES}/regional/sv", json=body(sv_fees, questions=["bara en variant"]))  # type: ignore[arg-type]
    coordinator.put("/api/curation/texts/thanks/sv", json={"text": "Tack själv!"})
    # Restored by the Somali speaker who reviewed it: the review is theirs again, dated now
    # (test_curation_import_review.py: what a non-speaker's import does).
    restored = do_import(speaker, first)
    assert restored.status_code == 200, restored.text
    assert restored.json()["changed"] >= 4
    assert review_times_dropped(content(export(coordinator))) == review_times_dropped(doc)
    # The restored texts are live for the next resident.
    reply = new_resident(client, library="solna", locale="so").say(seed_question("loan.fees"))[0]
    assert reply["text"] == "Solna: ganaax ma jiro."
    imported = coordinator.get(f"{FEES}/history?version=solna").json()[0]
    assert imported["action"] == "imported" and imported["author"].startswith("Coordinator")


def test_a_retired_topic_without_answers_round_trips(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    """A coordinators' topic drafted (no answers yet) and retired answers nobody, like a draft:
    its export imports again unchanged instead of being refused for the missing answers."""
    new = {"topic": "visit.chess", "area": "visit", "question": "Is there a chess club?", "title": "Schack"}
    assert coordinator.post("/api/curation/entries", json=new).status_code == 201
    state = coordinator.post("/api/curation/entries/visit.chess/regional/state", json={"state": "retired"})
    assert state.status_code == 200, state.text
    for fmt, part in (("yaml", "faq"), ("csv", "faq")):
        resp = do_import(coordinator, export(coordinator, format=fmt, part=part), fmt, dry_run=True)
        assert resp.status_code == 200, resp.text
        assert resp.json()["changed"] == 0
    # Its texts can still be edited while retired, and publishing still needs the answers.
    sv = translation(coordinator.get("/api/curation/entries/visit.chess").json(), "regional", "sv")
    edit = body(sv, title="Schackklubb")  # type: ignore[arg-type]
    assert coordinator.put("/api/curation/entries/visit.chess/regional/sv", json=edit).status_code == 200
    live = coordinator.post("/api/curation/entries/visit.chess/regional/state", json={"state": "live"})
    assert live.status_code == 422 and "no answer" in live.text


def test_the_faq_part_is_in_the_seed_format(client, coordinator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each `faq` document can be written to data/faq/<lang>.yml and seeded as it is."""
    doc = content(export(coordinator))
    for block in doc["faq"]:
        name = "sv-easy" if block.get("variant") else block["language"]
        (tmp_path / f"{name}.yml").write_text(yaml.safe_dump(block, allow_unicode=True), encoding="utf-8")
    files = read_faq_files(tmp_path)
    assert {f.path.stem for f in files} >= {"sv", "en", "so", "ti", "sv-easy"}
    assert sum(len(f.entries) for f in files) == sum(len(b["entries"]) for b in doc["faq"])


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # spreadsheet programs read UTF-8 with a byte-order mark
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_csv_round_trip_without_loss(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    curate_a_little(client, coordinator)
    faq, texts = export(coordinator, format="csv", part="faq"), export(coordinator, format="csv", part="texts")
    rows = csv_rows(faq)
    local = next(r for r in rows if (r["topic"], r["library"], r["language"]) == ("loan.fees", "solna", "so"))
    assert local["status"] == "reviewed" and local["reviewed_by"]
    pets = [r for r in rows if r["topic"] == "visit.pets"]
    assert pets and pets[0]["topic_area"] == "visit" and pets[0]["state"] == "draft"
    fees_sv = next(r for r in rows if (r["topic"], r["library"], r["language"]) == ("loan.fees", "", "sv"))
    assert len(fees_sv["questions"].splitlines()) >= 15  # one variant per line
    assert do_import(coordinator, faq, "csv").json()["changed"] == 0
    assert do_import(coordinator, texts, "csv").json()["changed"] == 0

    sv = translation(coordinator.get(FEES).json(), "regional", "sv")
    coordinator.put(f"{FEES}/regional/sv", json=body(sv, answer="Ändrat."))  # type: ignore[arg-type]
    coordinator.put("/api/curation/texts/thanks/sv", json={"text": "Tack!"})
    assert do_import(coordinator, faq, "csv").json()["changed"] == 1
    assert do_import(coordinator, texts, "csv").json()["changed"] == 1
    # The same content; the re-reviewed Swedish answer names its importer (a speaker of Swedish).
    me = coordinator.get("/api/staff/me").json()["name"]
    after = csv_rows(export(coordinator, format="csv", part="faq"))
    fees_sv_after = next(r for r in after if (r["topic"], r["library"], r["language"]) == ("loan.fees", "", "sv"))
    assert (fees_sv_after["status"], fees_sv_after["reviewed_by"]) == ("reviewed", me)
    for row in (fees_sv, fees_sv_after):
        row["reviewed_by"] = row["reviewed_at"] = ""
    assert after == rows
    assert export(coordinator, format="csv", part="texts") == texts


def test_excel_style_csv_with_semicolons_is_read(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    rows = csv_rows(export(coordinator, format="csv", part="faq"))
    row = next(r for r in rows if (r["topic"], r["library"], r["language"]) == ("loan.fees", "", "so"))
    row["answer"] = "Jawaab cusub; oo leh semicolon."
    out = io.StringIO()
    writer = csv.DictWriter(out, list(row), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    resp = do_import(coordinator, "\ufeff" + out.getvalue(), "csv")
    assert resp.status_code == 200, resp.text
    assert resp.json()["changes"] == [
        {"what": "faq", "topic": "loan.fees", "library": None, "language": "so", "action": "updated", "status": "draft"}
    ]
    assert translation(coordinator.get(FEES).json(), "regional", "so")["answer"] == row["answer"]  # type: ignore[index]


def test_a_dry_run_reports_and_writes_nothing(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    doc = content(export(coordinator))
    so = next(f for f in doc["faq"] if f["language"] == "so")
    so["entries"] = [dict(next(e for e in so["entries"] if e["topic"] == "loan.fees"), answer="Jawaab tijaabo ah.")]
    text = yaml.safe_dump({**doc, "faq": [so], "texts": []}, allow_unicode=True)
    dry = do_import(coordinator, text, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["changed"] == 1
    assert translation(coordinator.get(FEES).json(), "regional", "so")["answer"] != "Jawaab tijaabo ah."  # type: ignore[index]
    assert coordinator.get(f"{FEES}/history").json() == []


def test_a_file_with_errors_lists_them_all_and_imports_nothing(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    before = export(coordinator, format="csv", part="faq")
    rows = csv_rows(before)
    good = dict(next(r for r in rows if (r["topic"], r["library"], r["language"]) == ("loan.fees", "", "so")))
    changed_good = {**good, "answer": "Tani waa in aan la kaydin."}
    typo = {**good, "topic": "card.gett"}
    no_language = {**good, "topic": "card.get", "language": ""}
    long_sms = {**good, "topic": "loan.renew", "sms": "x" * 301}
    other_library = {**good, "topic": "loan.renew", "library": "nacka"}
    out = io.StringIO()
    writer = csv.DictWriter(out, list(good), lineterminator="\r\n")
    writer.writeheader()
    for row in (changed_good, typo, no_language, long_sms, other_library):
        writer.writerow(row)
    resp = do_import(coordinator, out.getvalue(), "csv")
    assert resp.status_code == 422
    errors = " | ".join(import_problems(resp))
    assert "nothing was imported" in resp.json()["detail"][0]["msg"]
    assert "line 3 (card.gett, so): unknown topic id 'card.gett'" in errors
    assert "line 4 (card.get, ?): missing language" in errors
    assert "line 5" in errors and "SMS form is 301 characters, at most 300" in errors
    assert "line 6" in errors and "nacka" in errors
    assert export(coordinator, format="csv", part="faq") == before  # not even the good row


def test_yaml_errors_name_the_place(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    broken = do_import(coordinator, "format: bibliotekshjalpen-content\nversion: 1\nfaq: [\n")
    assert broken.status_code == 422 and "not valid YAML at line" in import_problems(broken)[0]
    foreign = do_import(coordinator, "just: something\n")
    assert "not a Bibliotekshjälpen content export" in import_problems(foreign)[0]
    doc = content(export(coordinator))
    en = next(f for f in doc["faq"] if f["language"] == "en")
    en["entries"][0] = {**en["entries"][0], "title": ""}
    greet = {"language": "sv", "texts": {"handoff_online": {"text": "Vänta {minuter} minuter", "status": "draft"}}}
    resp = do_import(coordinator, yaml.safe_dump({**doc, "faq": [en], "texts": [greet]}, allow_unicode=True))
    errors = " | ".join(import_problems(resp))
    assert resp.status_code == 422
    assert "faq en entry #1" in errors and "title is missing" in errors
    assert "text handoff_online (sv): must use exactly {minutes}" in errors
    assert do_import(coordinator, "   ").status_code == 422
    assert coordinator.post(IMPORT, content=b"x", headers={"Content-Type": "text/plain"}, csrf=False).status_code == 403
