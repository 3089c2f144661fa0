"""An import follows the editor's review rules (issue 13, point 14).

A translation is imported as `reviewed` only when the importer speaks its language; otherwise it
is imported as a draft and the (dry-run) report says so. The reviewer recorded is the importer,
never a name from the file, and the history names the importer as the author of every change.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from api.handoff.clock import now
from tests.api.handoff_support import login, new_staff
from tests.api.test_curation_exchange import FEES, content, do_import, export, translation

FAKE = "Hodan Fake-Reviewer"
FILE_DATE = "2020-01-01T10:00:00+00:00"


def _somali_file(coordinator: Any, answer: str, greeting: str) -> str:
    """An export with only Somali: loan.fees and `thanks` changed and marked reviewed by someone else."""
    doc = content(export(coordinator))
    so = next(f for f in doc["faq"] if f["language"] == "so" and not f.get("variant"))
    fees = next(e for e in so["entries"] if e["topic"] == "loan.fees" and not e.get("library"))
    so["entries"] = [{**fees, "answer": answer, "status": "reviewed", "reviewed_by": FAKE, "reviewed_at": FILE_DATE}]
    texts = [
        {"language": "so", "texts": {"thanks": {"text": greeting, "status": "reviewed", "reviewed_by": FAKE,
                                                "reviewed_at": FILE_DATE}}},
    ]  # fmt: skip
    return yaml.safe_dump({**doc, "topics": [], "faq": [so], "texts": texts}, allow_unicode=True)


def _so_text(staff: Any) -> dict[str, Any]:
    return staff.get("/api/curation/texts").json()["texts"]["thanks"]["languages"]["so"]  # type: ignore[no-any-return]


def _authors(staff: Any, limit: int) -> list[tuple[str, str]]:
    return [(c["action"], c["author"]) for c in staff.get(f"/api/curation/changes?limit={limit}").json()]


def test_a_non_speaker_imports_reviewed_translations_as_drafts(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    me = coordinator.get("/api/staff/me").json()["name"]
    data = _somali_file(coordinator, "Jawaab cusub oo aan la hubin.", "Mahadsanid, mar kale i weydii!")
    resp = do_import(coordinator, data)
    assert resp.status_code == 200, resp.text
    fees = translation(coordinator.get(FEES).json(), "regional", "so")
    assert fees is not None and fees["answer"] == "Jawaab cusub oo aan la hubin."
    assert (fees["status"], fees["reviewed_by"]) == ("draft", None)
    text = _so_text(coordinator)
    assert (text["text"], text["status"], text["reviewed_by"]) == ("Mahadsanid, mar kale i weydii!", "draft", None)
    assert _authors(coordinator, 2) == [("imported", me), ("imported", me)]
    history = coordinator.get(f"{FEES}/history").json()[0]
    assert history["author"] == me and FAKE not in str(history)


def test_a_speaker_imports_them_reviewed_by_herself(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    somali = login(client.app, new_staff("coordinator", ("so", "sv"), "solna"))
    me = somali.get("/api/staff/me").json()["name"]
    data = _somali_file(coordinator, "Jawaab la hubiyay.", "Mahadsanid!")
    started = now()
    assert do_import(somali, data).status_code == 200
    fees = translation(somali.get(FEES).json(), "regional", "so")
    assert fees is not None and (fees["status"], fees["reviewed_by"]) == ("reviewed", me)
    assert fees["reviewed_at"] >= started.isoformat()[:19]  # when it was imported, not the file's date
    text = _so_text(somali)
    assert (text["status"], text["reviewed_by"]) == ("reviewed", me)
    assert not text["reviewed_at"].startswith("2020")
    assert _authors(somali, 2) == [("imported", me), ("imported", me)]
    assert FAKE not in export(somali) and FAKE not in str(somali.get("/api/curation/changes?limit=5").json())


def test_the_dry_run_says_what_is_imported_reviewed_and_what_as_a_draft(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = _somali_file(coordinator, "Jawaab cusub oo aan la hubin.", "Mahadsanid, mar kale i weydii!")
    dry = do_import(coordinator, data, dry_run=True)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["changed"] == 2 and report["reviewer"] == coordinator.get("/api/staff/me").json()["name"]
    assert {c["what"]: c["status"] for c in report["changes"]} == {"faq": "draft", "text": "draft"}
    assert sorted(report["review_refused"], key=lambda r: r["what"]) == [
        {"what": "faq", "topic": "loan.fees", "library": None, "language": "so", "reason": "language"},
        {"what": "text", "key": "thanks", "language": "so", "reason": "language"},
    ]
    assert _so_text(coordinator)["text"] != "Mahadsanid, mar kale i weydii!"  # a dry run writes nothing

    somali = login(client.app, new_staff("coordinator", ("so", "sv"), "solna"))
    by_speaker = do_import(somali, data, dry_run=True).json()
    assert {c["what"]: c["status"] for c in by_speaker["changes"]} == {"faq": "reviewed", "text": "reviewed"}
    assert by_speaker["review_refused"] == [] and by_speaker["reviewer"] == somali.get("/api/staff/me").json()["name"]


def test_csv_import_follows_the_same_rules(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(export(coordinator, format="csv", part="texts").lstrip("\ufeff"))))
    row = next(r for r in rows if (r["key"], r["language"]) == ("goodbye", "ti"))
    out = io.StringIO()
    writer = csv.DictWriter(out, list(row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow({**row, "text": "ደሓን ኩን!", "status": "reviewed", "reviewed_by": FAKE, "reviewed_at": FILE_DATE})
    resp = do_import(coordinator, out.getvalue(), "csv")
    assert resp.status_code == 200, resp.text
    saved = coordinator.get("/api/curation/texts").json()["texts"]["goodbye"]["languages"]["ti"]
    assert (saved["text"], saved["status"], saved["reviewed_by"]) == ("ደሓን ኩን!", "draft", None)
    assert resp.json()["review_refused"] == [{"what": "text", "key": "goodbye", "language": "ti", "reason": "language"}]


def test_unchanged_rows_keep_their_reviewer_and_a_status_only_review_needs_a_speaker(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    """Re-importing an export changes nothing (whoever imports it); a file that only flips a
    draft to reviewed is a review, so only a speaker's import does it."""
    somali = login(client.app, new_staff("coordinator", ("so", "sv"), "solna"))
    thanks = "/api/curation/texts/thanks/so"
    assert somali.put(thanks, json={"text": "Mahadsanid!", "status": "reviewed"}).status_code == 200
    first = export(coordinator)
    assert do_import(coordinator, first).json()["changed"] == 0
    assert _so_text(coordinator)["reviewed_by"] == somali.get("/api/staff/me").json()["name"]

    assert somali.put(thanks, json={"text": "Mahadsanid!", "status": "draft"}).status_code == 200
    second = do_import(coordinator, first).json()
    assert second["changed"] == 0 and _so_text(coordinator)["status"] == "draft"
    assert {"what": "text", "key": "thanks", "language": "so", "reason": "language"} in second["review_refused"]
    by_speaker = do_import(somali, first).json()
    assert by_speaker["changed"] == 1 and _so_text(somali)["status"] == "reviewed"
    flip = do_import(coordinator, first, dry_run=True).json()
    assert flip["review_refused"] == [] and flip["changed"] == 0  # reviewed already: nothing to refuse
