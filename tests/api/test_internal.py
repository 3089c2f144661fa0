"""The bot-side contract: what the action server and Rasa's NLG calls get from the API."""

from __future__ import annotations

import pytest

INTERNAL = {"X-Internal-Token": "test-internal-token"}


def turn(client, conv, action, text="", intent=None, confidence=None):  # type: ignore[no-untyped-def]
    body = {"conversation_id": conv["id"], "action": action, "text": text, "intent": intent, "confidence": confidence}
    return client.post("/internal/bot/respond", json=body, headers=INTERNAL)


def test_internal_endpoints_need_the_shared_secret(client, conversation) -> None:  # type: ignore[no-untyped-def]
    body = {"conversation_id": conversation["id"], "action": "answer_faq", "text": "hej"}
    assert client.post("/internal/bot/respond", json=body).status_code == 403
    assert client.post("/internal/bot/respond", json=body, headers={"X-Internal-Token": "guess"}).status_code == 403
    nlg = {"response": "utter_greet", "tracker": {"sender_id": conversation["id"]}}
    assert client.post("/internal/nlg", json=nlg).status_code == 403


def test_nlg_serves_texts_in_the_conversation_language(client, conversation) -> None:  # type: ignore[no-untyped-def]
    client.patch(f"/api/conversations/{conversation['id']}", json={"language": "ar"}, headers=conversation["headers"])
    resp = client.post(
        "/internal/nlg",
        json={"response": "utter_greet", "tracker": {"sender_id": conversation["id"]}},
        headers=INTERNAL,
    ).json()
    assert resp["text"] == ""
    assert resp["custom"]["kind"] == "smalltalk" and resp["custom"]["language"] == "ar"
    assert any("\u0600" <= ch <= "\u06ff" for ch in resp["custom"]["text"])


def _nlg(client, conversation, response: str, said: str) -> dict:  # type: ignore[no-untyped-def]
    tracker = {"sender_id": conversation["id"], "latest_message": {"text": said}}
    resp = client.post("/internal/nlg", json={"response": response, "tracker": tracker}, headers=INTERNAL)
    assert resp.status_code == 200
    return resp.json()["custom"]


@pytest.mark.parametrize(
    ("response", "said"),
    [("utter_greet", "hejsan!"), ("utter_thanks", "tack så mycket, det hjälpte"), ("utter_greet", "/greet")],
)
def test_nlg_small_talk_stays_small_talk(client, conversation, response: str, said: str) -> None:  # type: ignore[no-untyped-def]
    reply = _nlg(client, conversation, response, said)
    assert (reply["kind"], reply["topic"]) == ("smalltalk", None)


@pytest.mark.parametrize(
    ("response", "said", "topic"),
    [
        (
            "utter_greet",
            "is there a page where i can see which books are at home with me right now",
            "account.my_pages",
        ),
        ("utter_thanks", "Hur gör jag för att låna om mina böcker via internet?", "loan.renew"),
    ],
)
def test_nlg_a_question_mistaken_for_small_talk_gets_its_answer(  # type: ignore[no-untyped-def]
    client, conversation, response: str, said: str, topic: str
) -> None:
    reply = _nlg(client, conversation, response, said)
    assert (reply["kind"], reply["topic"]) == ("faq", topic)


def test_nlg_unknown_response_is_404(client, conversation) -> None:  # type: ignore[no-untyped-def]
    body = {"response": "utter_nonsense", "tracker": {"sender_id": conversation["id"]}}
    assert client.post("/internal/nlg", json=body, headers=INTERNAL).status_code == 404


def test_answer_faq_names_the_topic(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(
        client, conversation, "answer_faq", "Kan jag skriva ut och kopiera på biblioteket?", "ask_question", 0.99
    ).json()["messages"]
    assert (reply["kind"], reply["topic"]) == ("faq", "visit.printing")


@pytest.mark.parametrize(
    "said",
    [
        "jag vill hellre skriva med en riktig människa från biblioteket",  # very close to the examples
        "I would rather chat with an actual librarian, not a program",  # close, and far from any FAQ
    ],
)
def test_a_request_for_a_person_read_as_a_question_reaches_a_person(client, conversation, said: str) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(client, conversation, "answer_faq", said, "ask_question", 0.99).json()["messages"]
    assert reply["kind"] == "handoff"


def test_thanks_read_as_a_question_does_not_go_to_staff(client, conversation) -> None:  # type: ignore[no-untyped-def]
    # As close to the request examples as a request, but closer still to the thanks examples.
    (reply,) = turn(client, conversation, "answer_faq", "kiitos paljon!", "ask_question", 0.99).json()["messages"]
    assert reply["kind"] != "handoff"


def test_a_question_about_contacting_the_library_stays_a_question(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(client, conversation, "answer_faq", "Hur kontaktar jag biblioteket?", "ask_question", 0.99).json()[
        "messages"
    ]
    assert (reply["kind"], reply["topic"]) == ("faq", "about.contact")


def test_sure_out_of_scope_is_not_overruled(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(
        client, conversation, "out_of_scope", "Vem vann fotbollsmatchen igår?", "out_of_scope", 0.98
    ).json()["messages"]
    assert reply["kind"] == "out_of_scope" and reply["topic"] is None


def test_vague_question_gets_clarify_with_topics_and_a_person(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(client, conversation, "answer_faq", "kort", "nlu_fallback", 0.3).json()["messages"]
    assert reply["kind"] == "clarify"
    payloads = [b["payload"] for b in reply["buttons"]]
    assert payloads[-1] == "handoff" and 1 <= len(payloads) <= 4
    assert all(p.startswith("topic:") for p in payloads[:-1])


def test_request_human_is_a_handoff_reply(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(
        client, conversation, "request_human", "jag vill prata med en människa", "request_human", 0.99
    ).json()["messages"]
    assert reply["kind"] == "handoff"


def test_choose_language_switches_and_sticks(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(
        client, conversation, "choose_language", "kan du svara på engelska?", "choose_language", 0.9
    ).json()["messages"]
    assert reply["language"] == "en" and reply["kind"] == "system"
    later = client.post(
        f"/api/conversations/{conversation['id']}/messages",
        json={"text": "Hur förnyar jag mina lån?"},
        headers=conversation["headers"],
    ).json()["messages"][0]
    assert later["language"] == "en"


def test_topic_button_answers_that_topic(client, conversation) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(
        f"/api/conversations/{conversation['id']}/messages",
        json={"text": "Skaffa lånekort", "payload": "topic:card.get"},
        headers=conversation["headers"],
    ).json()["messages"][0]
    assert (reply["kind"], reply["topic"], reply["language"]) == ("faq", "card.get", "sv")


def test_answers_where_staff_can_help_offer_a_person(client, conversation) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(
        f"/api/conversations/{conversation['id']}/messages",
        json={"text": "Appen fungerar inte", "payload": "topic:emedia.trouble"},
        headers=conversation["headers"],
    ).json()["messages"][0]
    assert reply["topic"] == "emedia.trouble" and reply["buttons"][-1]["payload"] == "handoff"
    other = client.post(
        f"/api/conversations/{conversation['id']}/messages",
        json={"text": "Skaffa lånekort", "payload": "topic:card.get"},
        headers=conversation["headers"],
    ).json()["messages"][0]
    assert other["buttons"] == []


def test_naming_the_current_language_in_a_library_question_is_answered(client, conversation) -> None:  # type: ignore[no-untyped-def]
    (reply,) = turn(
        client,
        conversation,
        "choose_language",
        "har nyss flyttat hit och vill träna på att prata svenska med andra",
        "choose_language",
        0.7,
    ).json()["messages"]
    assert (reply["kind"], reply["topic"], reply["language"]) == ("faq", "visit.learn_swedish", "sv")
    (switch,) = turn(
        client, conversation, "choose_language", "kan du svara på engelska", "choose_language", 0.9
    ).json()["messages"]
    assert (switch["kind"], switch["language"]) == ("system", "en")


def test_a_situation_mistaken_for_asking_for_a_person_gets_the_answer_and_the_offer(client, conversation) -> None:  # type: ignore[no-untyped-def]
    situation = "pappa har opererat höften och kommer inte ut längre men han älskar att läsa böcker"
    (reply,) = turn(client, conversation, "request_human", situation, "request_human", 1.0).json()["messages"]
    assert (reply["kind"], reply["topic"]) == ("faq", "access.home_delivery")
    assert reply["buttons"][-1]["payload"] == "handoff"


def test_real_requests_for_a_person_still_reach_staff(client, conversation) -> None:  # type: ignore[no-untyped-def]
    for text in ("kan jag få prata med en bibliotekarie istället för boten", "/request_human"):
        (reply,) = turn(client, conversation, "request_human", text, "request_human", 1.0).json()["messages"]
        assert reply["kind"] == "handoff", text


def test_a_library_question_mistaken_for_off_topic_gets_the_answer(client, conversation) -> None:  # type: ignore[no-untyped-def]
    situation = "boken jag läser ska tillbaka i morgon men jag har hundra sidor kvar"
    (reply,) = turn(client, conversation, "out_of_scope", situation, "out_of_scope", 1.0).json()["messages"]
    assert (reply["kind"], reply["topic"]) == ("faq", "loan.renew")
    (weather,) = turn(
        client, conversation, "out_of_scope", "blir det regn i Stockholm på lördag", "out_of_scope", 1.0
    ).json()["messages"]
    assert weather["kind"] == "out_of_scope"
