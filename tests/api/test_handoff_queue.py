"""The shared queue: filters (state, library, language, channel, topic, assignee), sorting, highlight."""

from __future__ import annotations

from tests.api.handoff_support import new_resident


def test_filters_sort_and_highlight(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    somali = new_resident(client, library="botkyrka", locale="so")
    somali.say("Sidee baan u cusboonaysiiyaa amaahdayda?")  # a FAQ answer first: the ticket's topic
    somali.ask_for_person()
    arabic = new_resident(client, library="huddinge", locale="ar")
    arabic.ask_for_person()
    swedish = new_resident(client, library="solna", locale="sv")
    swedish.ask_for_person()
    mine = {somali.id, arabic.id, swedish.id}

    sara = make_staff(languages=("sv", "so"))

    def ours(**params):  # type: ignore[no-untyped-def]
        return [t for t in sara.queue(**params) if t["conversation_id"] in mine]

    everything = ours()
    assert [t["conversation_id"] for t in everything] == [somali.id, arabic.id, swedish.id]  # oldest first
    by_conv = {t["conversation_id"]: t for t in everything}
    assert by_conv[somali.id]["speaks_language"] and by_conv[swedish.id]["speaks_language"]
    assert not by_conv[arabic.id]["speaks_language"]
    assert by_conv[somali.id]["language"] == "so" and by_conv[somali.id]["topic"]

    assert [t["conversation_id"] for t in ours(library="botkyrka")] == [somali.id]
    assert [t["conversation_id"] for t in ours(language="ar")] == [arabic.id]
    assert len(ours(channel="web")) == 3 and ours(channel="sms") == []
    topic = by_conv[somali.id]["topic"]
    assert somali.id in [t["conversation_id"] for t in ours(topic=topic)]
    assert somali.id in [t["conversation_id"] for t in ours(topic=topic.split(".")[0])]  # a prefix
    assert ours(topic=topic[:-1] + "#") == []

    by_library = [t["responsible_library"] for t in ours(sort="library")]
    assert by_library == sorted(by_library)
    by_language = [t["language"] for t in ours(sort="language")]
    assert by_language == ["ar", "so", "sv"]

    sara.act(by_conv[arabic.id]["id"], "claim")
    assert [t["conversation_id"] for t in ours(state="with_staff")] == [arabic.id]
    assert [t["conversation_id"] for t in ours(assignee="me")] == [arabic.id]
    assert arabic.id not in [t["conversation_id"] for t in ours(assignee="none")]
    assert ours(state="resolved") == []
    assert sara.get("/api/staff/tickets", params={"state": "nonsense"}).status_code == 422
    assert sara.get("/api/staff/tickets", params={"sort": "nonsense"}).status_code == 422


def test_a_curated_answer_as_a_draft_in_the_residents_language(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, locale="fi")
    resident.say("Miten uusin lainani?")
    resident.ask_for_person()
    staff = make_staff()
    tid = resident.ticket_id(staff)
    draft = staff.get(f"/api/staff/tickets/{tid}/suggestion", params={"topic": "card.lost"})
    assert draft.status_code == 200
    assert (draft.json()["topic"], draft.json()["language"]) == ("card.lost", "fi") and draft.json()["text"]
    assert staff.get(f"/api/staff/tickets/{tid}/suggestion", params={"topic": "no.such"}).status_code == 404
    topics = staff.get("/api/staff/topics", params={"language": "fi"}).json()
    assert len(topics) >= 30 and {"topic", "title"} == set(topics[0])
