"""The reply policy (actions/reply_policy.py): every kind of decision, each limit at its edge,
and the data shapes that cross process boundaries (Decision as Rasa's custom payload, the
Understanding the API sends as metadata). Pure functions: no database, no Rasa."""

from __future__ import annotations

import itertools
import json

import pytest

from actions import reply_policy
from actions.reply_policy import (
    ANSWER,
    MAX_OFFERS,
    OFF_TOPIC,
    OFFER,
    PERSON,
    SMALL_TALK,
    SMALL_TALK_INTENTS,
    Candidate,
    Decision,
    Understanding,
    decide,
)

BELOW = 1e-4  # "just below" a limit


def u(
    intents: dict[str, float] | None = None, *candidates: tuple[str, float], unsupported: bool = False
) -> Understanding:
    return Understanding(
        dict(intents or {}), tuple(Candidate(t, c) for t, c in candidates), unsupported_language=unsupported
    )


SURE = ("loan.renew", 0.95)  # an FAQ candidate far above ANSWER


def test_the_limits_are_probabilities_in_a_sensible_order() -> None:
    for limit in (PERSON, OFF_TOPIC, ANSWER, OFFER, SMALL_TALK):
        assert 0.0 < limit < 1.0
    assert OFFER < ANSWER  # buttons are offered only below the answer's limit
    assert MAX_OFFERS >= 1
    assert set(SMALL_TALK_INTENTS) == {"greet", "thanks", "goodbye"}


# ---- every kind of decision ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("understanding", "kind"),
    [
        (u({"request_human": 0.9, "ask_question": 0.1}), "handoff"),
        (u({"greet": 0.9, "ask_question": 0.1}), "smalltalk"),
        (u({"choose_language": 0.8, "ask_question": 0.2}), "language"),
        (u({"out_of_scope": 0.9, "ask_question": 0.1}), "out_of_scope"),
        (u({"ask_question": 0.9}, SURE), "faq"),
        (u({"ask_question": 0.9}, ("loan.renew", 0.3), ("card.get", 0.2)), "clarify"),
        (u({"ask_question": 0.9}, ("loan.renew", 0.05)), "not_covered"),
        (u({"ask_question": 0.9}), "not_covered"),
    ],
)
def test_every_kind_of_decision(understanding: Understanding, kind: str) -> None:
    assert decide(understanding).kind == kind


def test_handoff_carries_the_probability_of_the_request() -> None:
    d = decide(u({"request_human": 0.72, "ask_question": 0.28}, SURE))
    assert d == Decision("handoff", confidence=0.72)


@pytest.mark.parametrize("intent", SMALL_TALK_INTENTS)
def test_small_talk_names_its_intent(intent: str) -> None:
    d = decide(u({intent: 0.8, "ask_question": 0.2}))
    assert (d.kind, d.intent, d.confidence, d.topic) == ("smalltalk", intent, 0.8, None)


def test_faq_names_the_best_candidate() -> None:
    d = decide(u({"ask_question": 0.9}, ("visit.printing", 0.81), ("loan.renew", 0.6)))
    assert (d.kind, d.topic, d.confidence, d.options) == ("faq", "visit.printing", 0.81, ())


def test_clarify_offers_the_likely_candidates_in_order() -> None:
    d = decide(u({}, ("a", 0.35), ("b", 0.2), ("c", 0.1)))
    assert (d.kind, d.options, d.confidence, d.topic) == ("clarify", ("a", "b"), 0.35, None)


def test_clarify_offers_at_most_max_offers() -> None:
    many = [(f"t{i}", ANSWER - BELOW - i * 0.01) for i in range(MAX_OFFERS + 2)]
    d = decide(u({}, *many))
    assert d.kind == "clarify"
    assert d.options == tuple(t for t, _ in many[:MAX_OFFERS])


def test_not_covered_is_as_sure_as_the_best_candidate_is_unlikely() -> None:
    assert decide(u({}, ("loan.renew", 0.1))).confidence == pytest.approx(0.9)
    assert decide(u({})) == Decision("not_covered", confidence=1.0)


# ---- each limit at its edge ---------------------------------------------------------------------


def test_person_limit() -> None:
    assert decide(u({"request_human": PERSON, "ask_question": 1 - PERSON}, SURE)).kind == "handoff"
    below = decide(u({"request_human": PERSON - BELOW, "ask_question": 1 - PERSON + BELOW}, SURE))
    assert below.kind == "faq"


def test_a_request_for_a_person_comes_before_everything_else() -> None:
    # Even when it is not the most likely intent (request_human is the largest over the sentences).
    for other in ("greet", "out_of_scope", "choose_language", "ask_question"):
        assert decide(u({"request_human": PERSON, other: 0.9}, SURE)).kind == "handoff", other


def test_small_talk_limit() -> None:
    at = decide(u({"thanks": SMALL_TALK, "ask_question": 1 - SMALL_TALK - 0.1, "out_of_scope": 0.1}))
    assert (at.kind, at.intent) == ("smalltalk", "thanks")
    below = decide(u({"thanks": SMALL_TALK - BELOW, "ask_question": 0.3, "out_of_scope": 0.2}, SURE))
    assert below.kind == "faq"


def test_small_talk_must_be_the_most_likely_intent() -> None:
    # A greeting that is not the top intent is not small talk, whatever its own probability.
    d = decide(u({"greet": SMALL_TALK, "ask_question": SMALL_TALK + 0.01}, SURE))
    assert d.kind == "faq"


def test_off_topic_limit() -> None:
    assert decide(u({"out_of_scope": OFF_TOPIC, "ask_question": 1 - OFF_TOPIC})).kind == "out_of_scope"
    below = decide(u({"out_of_scope": OFF_TOPIC - BELOW, "ask_question": 1 - OFF_TOPIC + BELOW}, SURE))
    assert below.kind == "faq"


def test_answer_limit() -> None:
    at = decide(u({}, ("loan.renew", ANSWER), ("card.get", OFFER)))
    assert (at.kind, at.topic) == ("faq", "loan.renew")
    below = decide(u({}, ("loan.renew", ANSWER - BELOW), ("card.get", OFFER)))
    assert (below.kind, below.options) == ("clarify", ("loan.renew", "card.get"))


def test_offer_limit() -> None:
    at = decide(u({}, ("loan.renew", OFFER)))
    assert (at.kind, at.options) == ("clarify", ("loan.renew",))
    below = decide(u({}, ("loan.renew", OFFER - BELOW)))
    assert below.kind == "not_covered"
    assert below.confidence == pytest.approx(1 - OFFER + BELOW)


def test_choose_language_as_the_top_intent_is_a_language_decision() -> None:
    assert decide(u({"choose_language": 0.6, "ask_question": 0.4}, SURE)).kind == "language"
    # Not the top intent: the FAQ decides.
    assert decide(u({"choose_language": 0.3, "ask_question": 0.7}, SURE)).kind == "faq"


# ---- small talk against the FAQ; off-topic never gets an FAQ answer -----------------------------


def test_confident_small_talk_wins_over_a_confident_faq() -> None:
    d = decide(u({"greet": 0.8, "ask_question": 0.2}, SURE))
    assert (d.kind, d.intent) == ("smalltalk", "greet")


def test_unsure_small_talk_gives_way_to_a_confident_faq() -> None:
    # "Tack, och hur lånar jag om?" read as thanks, but not surely: the question gets its answer.
    d = decide(u({"thanks": 0.45, "ask_question": 0.4, "out_of_scope": 0.15}, SURE))
    assert (d.kind, d.topic) == ("faq", "loan.renew")


def test_off_topic_never_gets_an_faq_answer() -> None:
    steps = [OFF_TOPIC, 0.6, 0.8, 1.0]
    best = [ANSWER, 0.6, 0.99, 1.0]
    others = ["ask_question", "greet", "thanks", "choose_language"]
    for oos, conf, other in itertools.product(steps, best, others):
        decision = decide(u({"out_of_scope": oos, other: round(1 - oos, 4)}, ("loan.renew", conf)))
        assert decision.kind != "faq", (oos, conf, other, decision)
        assert decision.topic is None


def test_a_coordinators_wording_is_answered_whatever_the_intents_say() -> None:
    """A question variant goes live without a retraining: the trained intents cannot overrule it."""
    exact = Candidate("visit.wifi_computers", 0.3, exact=True)
    for intents in ({"out_of_scope": 0.95}, {"thanks": 0.9}, {"choose_language": 0.9}, {}):
        d = decide(Understanding(intents, (Candidate("loan.renew", 0.5), exact), words=1))
        assert (d.kind, d.topic) == ("faq", "visit.wifi_computers"), intents
    # A request for a person still comes first.
    assert decide(Understanding({"request_human": 0.9}, (exact,))).kind == "handoff"
    # Without the flag, the same message is off-topic.
    plain = Candidate("visit.wifi_computers", 0.99)
    assert decide(Understanding({"out_of_scope": 0.95}, (plain,))).kind == "out_of_scope"


def test_the_exact_flag_comes_with_the_metadata_only_as_true() -> None:
    data = {
        "candidates": [
            {"topic": "a.b", "confidence": 0.5, "exact": True},
            {"topic": "c.d", "confidence": 0.4, "exact": "yes"},
        ]
    }
    got = Understanding.from_dict(data)
    assert [c.exact for c in got.candidates] == [True, False]


# ---- a language we do not support ---------------------------------------------------------------


def test_unsupported_language_lets_the_faq_decide_instead_of_off_topic() -> None:
    intents = {"out_of_scope": 0.9, "ask_question": 0.1}
    assert decide(u(intents, SURE)).kind == "out_of_scope"
    d = decide(u(intents, SURE, unsupported=True))
    assert (d.kind, d.topic) == ("faq", "loan.renew")
    assert decide(u(intents, ("loan.renew", 0.2), unsupported=True)).kind == "clarify"
    assert decide(u(intents, unsupported=True)).kind == "not_covered"


def test_unsupported_language_still_hands_off_and_does_not_change_the_input() -> None:
    intents = {"out_of_scope": 0.4, "request_human": 0.6}
    understanding = u(intents, SURE, unsupported=True)
    assert decide(understanding).kind == "handoff"
    assert understanding.intents == intents  # out_of_scope was dropped from a copy only


def test_unsupported_language_small_talk_must_still_be_likely_enough() -> None:
    # out_of_scope dropped, the next intent becomes the top one, but it is still below SMALL_TALK.
    d = decide(u({"out_of_scope": 0.7, "greet": 0.2, "ask_question": 0.1}, SURE, unsupported=True))
    assert d.kind == "faq"


# ---- Rasa down: no intents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "kind"),
    [
        ((SURE,), "faq"),
        ((("loan.renew", 0.3), ("card.get", 0.2)), "clarify"),
        ((("loan.renew", 0.01),), "not_covered"),
        ((), "not_covered"),
    ],
)
def test_without_intents_only_the_faq_decides(candidates: tuple[tuple[str, float], ...], kind: str) -> None:
    for unsupported in (False, True):
        assert decide(u({}, *candidates, unsupported=unsupported)).kind == kind


def test_without_intents_there_is_never_a_handoff_or_small_talk() -> None:
    for conf in (0.0, OFFER, ANSWER, 0.5, 1.0):
        d = decide(Understanding(candidates=(Candidate("loan.renew", conf),)))
        assert d.kind in ("faq", "clarify", "not_covered"), d
        assert d.intent is None


# ---- Decision and Understanding across processes -----------------------------------------------


@pytest.mark.parametrize(
    "decision",
    [
        Decision("faq", topic="loan.renew", confidence=0.83),
        Decision("clarify", options=("loan.renew", "card.get"), confidence=0.3),
        Decision("not_covered", confidence=0.9),
        Decision("handoff", confidence=0.7),
        Decision("out_of_scope", confidence=0.6),
        Decision("smalltalk", intent="thanks", confidence=0.9),
        Decision("language", confidence=0.55),
    ],
)
def test_a_decision_survives_json(decision: Decision) -> None:
    data = decision.to_dict()
    assert isinstance(data["options"], list)
    assert Decision.from_dict(json.loads(json.dumps(data))) == decision


def test_a_decision_from_a_minimal_dict_gets_the_defaults() -> None:
    assert Decision.from_dict({"kind": "handoff"}) == Decision("handoff")
    assert Decision.from_dict({"kind": "clarify", "options": None, "confidence": None}) == Decision("clarify")
    with pytest.raises(ValueError, match="kind"):
        Decision.from_dict({"topic": "loan.renew"})  # no kind: not a decision (rasa_client treats it so)


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "shout"},
        {"kind": "faq"},
        {"kind": "faq", "topic": "loan.renew\x00"},
        {"kind": "faq", "topic": 7},
        {"kind": "clarify", "options": ["loan.renew", None]},
        {"kind": "clarify", "options": "loan.renew"},
        {"kind": "smalltalk", "intent": "greet\x00"},
        {"kind": "smalltalk"},
        {"kind": "handoff", "confidence": "high"},
    ],
)
def test_a_decision_this_module_could_not_have_made_is_refused(data: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        Decision.from_dict(data)


def test_every_decision_of_the_policy_round_trips() -> None:
    cases = [
        u({"request_human": 0.9}),
        u({"greet": 0.9}),
        u({"choose_language": 0.9}),
        u({"out_of_scope": 0.9}),
        u({}, SURE),
        u({}, ("a", 0.3), ("b", 0.2)),
        u({}),
    ]
    for case in cases:
        decision = decide(case)
        assert Decision.from_dict(json.loads(json.dumps(decision.to_dict()))) == decision


def test_understanding_from_the_metadata() -> None:
    data = {
        "candidates": [
            {"topic": "loan.renew", "confidence": 0.8},
            {"topic": "card.get", "confidence": "0.1"},
            {"topic": "x\x00", "confidence": 0.5},
        ],
        "unsupported_language": True,
    }
    got = Understanding.from_dict(data, {"ask_question": 0.9})
    assert got == Understanding({"ask_question": 0.9}, (Candidate("loan.renew", 0.8),), unsupported_language=True)


def test_understanding_ignores_malformed_candidates() -> None:
    data = {
        "candidates": [
            "loan.renew",
            None,
            7,
            ["loan.renew", 0.9],
            {"topic": "no.confidence"},
            {"confidence": 0.9},
            {"topic": "card.get", "confidence": 0.5},
        ]
    }
    got = Understanding.from_dict(data)
    assert got.candidates == (Candidate("card.get", 0.5),)
    assert got.intents == {} and got.unsupported_language is False


@pytest.mark.parametrize("data", [{}, {"candidates": None}, {"candidates": []}, {"unsupported_language": None}])
def test_understanding_without_candidates(data: dict[str, object]) -> None:
    got = Understanding.from_dict(data)
    assert got == Understanding()
    assert decide(got).kind == "not_covered"


def test_a_short_message_is_answered_only_when_its_best_topic_stands_out() -> None:
    """One or two words ("kort") fit several topics: the likely ones are offered instead."""
    close = (Candidate("card.lost", 0.69), Candidate("card.get", 0.52))
    clear = (Candidate("visit.hours", 0.99), Candidate("visit.self_service", 0.05))
    assert decide(Understanding({}, close, words=1)).kind == "clarify"
    assert decide(Understanding({}, close, words=2)).kind == "clarify"
    assert decide(Understanding({}, close, words=3)).kind == "faq"  # a sentence: the calibration holds
    assert decide(Understanding({}, close)).kind == "faq"  # length not known: as before
    assert decide(Understanding({}, clear, words=1)).kind == "faq"
    edge = (Candidate("a", 0.8), Candidate("b", 0.8 / reply_policy.SHORT_LEAD))
    assert decide(Understanding({}, edge, words=1)).kind == "faq"
    below = (Candidate("a", 0.8), Candidate("b", 0.8 / reply_policy.SHORT_LEAD + 0.01))
    assert decide(Understanding({}, below, words=1)).kind == "clarify"


def test_the_message_length_comes_from_the_metadata() -> None:
    assert Understanding.from_dict({"words": 2}).words == 2
    for bad in (-1, "2", True, 2.5, None):
        assert Understanding.from_dict({"words": bad}).words is None


# ---- follow-ups: the message read together with the last answer (decision 0015) ----------------


def _in_context(alone: tuple[tuple[str, float], ...], follow: tuple[tuple[str, float], ...], **intents: float):
    from actions.reply_policy import Context

    return Understanding(
        dict(intents or {"ask_question": 0.9}),
        tuple(Candidate(t, c) for t, c in alone),
        words=3,
        context=Context("emedia.overview", tuple(Candidate(t, c) for t, c in follow)),
    )


def test_a_follow_up_is_answered_from_the_reading_with_the_last_answer() -> None:
    # "and for my son?" alone fits nothing well; after the e-book answer it is about children's e-books
    d = decide(_in_context((("visit.kids", 0.3), ("card.get", 0.2)), (("emedia.kids", 0.8),)))
    assert (d.kind, d.topic) == ("faq", "emedia.kids")


def test_a_new_topic_does_not_stick_to_the_old_one() -> None:
    d = decide(_in_context((("visit.printing", 0.95),), (("emedia.overview", 0.7), ("visit.printing", 0.4))))
    assert (d.kind, d.topic) == ("faq", "visit.printing")


def test_the_reading_in_context_must_be_likely_enough_to_answer() -> None:
    d = decide(_in_context((("visit.kids", 0.2),), (("emedia.kids", ANSWER - BELOW),)))
    assert d.kind == "clarify"


def test_a_request_for_a_person_and_off_topic_come_before_the_context() -> None:
    follow = (("emedia.kids", 0.95),)
    assert decide(_in_context((), follow, request_human=0.8, ask_question=0.2)).kind == "handoff"
    assert decide(_in_context((), follow, out_of_scope=0.9, ask_question=0.1)).kind == "out_of_scope"


def test_the_context_from_the_metadata() -> None:
    from actions.reply_policy import Context

    data = {
        "candidates": [],
        "context": {"topic": "emedia.overview", "candidates": [{"topic": "emedia.kids", "confidence": 0.8}, "bad"]},
    }
    got = Understanding.from_dict(data)
    assert got.context == Context("emedia.overview", (Candidate("emedia.kids", 0.8),))
    assert Understanding.from_dict({"context": "emedia.kids"}).context is None
    assert Understanding.from_dict({"context": {"topic": 7}}).context == Context(None, ())


def test_a_one_word_follow_up_needs_the_same_lead_as_a_one_word_question() -> None:
    from actions.reply_policy import SHORT_LEAD, Context

    close = (Candidate("card.get", 0.6), Candidate("card.lost", 0.6 / SHORT_LEAD + 0.01))
    u = Understanding(
        {"ask_question": 0.9}, (Candidate("card.get", 0.3),), words=1, context=Context("loan.renew", close)
    )
    assert decide(u).kind == "clarify"  # "kort" after an answer on renewing: which card question?
    clear = (Candidate("card.get", 0.6), Candidate("card.lost", 0.6 / SHORT_LEAD - 0.01))
    u = Understanding(
        {"ask_question": 0.9}, (Candidate("card.get", 0.3),), words=1, context=Context("loan.renew", clear)
    )
    assert (decide(u).kind, decide(u).topic) == ("faq", "card.get")


# ---- after an answer: what the message does (decision 0015) ------------------------------------


def _after(
    intents: dict[str, float],
    candidates: tuple[tuple[str, float], ...] = (),
    follow: tuple[tuple[str, float], ...] = (),
    topic: str = "emedia.libby",
) -> Understanding:
    from actions.reply_policy import Context

    return Understanding(
        intents,
        tuple(Candidate(t, c) for t, c in candidates),
        words=4,
        context=Context(topic, tuple(Candidate(t, c) for t, c in follow)),
    )


def test_that_did_not_help_after_an_answer_goes_to_a_person() -> None:
    # "tried that, still nothing": as likely, with a request for a person, as PERSON
    d = decide(_after({"not_helped": PERSON - 0.1, "request_human": 0.1}, follow=(("emedia.libby", 0.9),)))
    assert d.kind == "handoff" and d.confidence == pytest.approx(PERSON)
    below = _after({"not_helped": PERSON - BELOW, "ask_question": BELOW}, candidates=(SURE,))
    assert decide(below).kind == "faq"


def test_not_helped_without_an_answer_before_it_is_a_question_for_the_faq() -> None:
    # "the app still doesn't work" as a first message: the FAQ may well answer it
    d = decide(u({"not_helped": 0.95}, ("emedia.trouble", 0.8)))
    assert (d.kind, d.topic) == ("faq", "emedia.trouble")


def test_a_question_about_the_answer_is_answered_from_the_reading_with_it() -> None:
    # "is it free?" after an answer on group rooms: alone it could be about anything
    d = decide(_after({"follow_up": 0.7, "out_of_scope": 0.2}, (("loan.fees", 0.3),), (("visit.rooms", 0.8),)))
    assert (d.kind, d.topic) == ("faq", "visit.rooms")


def test_an_off_topic_aside_after_an_answer_is_off_topic() -> None:
    # "who won the match yesterday?" right after an answer: read with that answer's title the FAQ
    # finds that topic again, but the message itself is off-topic
    d = decide(_after({"out_of_scope": OFF_TOPIC}, follow=(("visit.rooms", 0.9),), topic="visit.rooms"))
    assert d.kind == "out_of_scope"


def test_a_language_request_must_be_likely_enough() -> None:
    from actions.reply_policy import LANGUAGE

    assert decide(u({"choose_language": LANGUAGE})).kind == "language"
    assert decide(_after({"choose_language": LANGUAGE}, follow=(("card.get", 0.9),))).kind == "language"
    unsure = {"choose_language": LANGUAGE - BELOW, "ask_question": 0.3, "out_of_scope": 0.2}
    assert decide(u(unsure, SURE)).kind == "faq"


def test_a_correction_sets_the_topic_just_answered_aside() -> None:
    from actions.reply_policy import CORRECTION

    # "no, I mean the card, not the book" after an answer on a lost book: read after that answer
    # the lost book still ranks first, but it is the one topic the resident says is wrong
    d = decide(
        _after(
            {"correction": CORRECTION},
            candidates=(("card.lost", 0.7), ("loan.lost_item", 0.2)),
            follow=(("loan.lost_item", 0.9), ("card.lost", 0.5)),
            topic="loan.lost_item",
        )
    )
    assert (d.kind, d.topic) == ("faq", "card.lost")
    # not a correction: the reading with the answer stands
    d = decide(
        _after(
            {"correction": CORRECTION - BELOW, "ask_question": 1 - CORRECTION},
            candidates=(("card.lost", 0.7), ("loan.lost_item", 0.2)),
            follow=(("loan.lost_item", 0.9), ("card.lost", 0.5)),
            topic="loan.lost_item",
        )
    )
    assert (d.kind, d.topic) == ("faq", "loan.lost_item")


def test_a_correction_takes_the_likeliest_other_topic_of_either_reading() -> None:
    # "no, I mean the app" after Libby: alone it fits nothing; read after Libby, it is the Biblio app
    follow = (("emedia.libby", 0.9), ("emedia.biblio_app", 0.6))
    d = decide(_after({"correction": 0.9}, candidates=(("emedia.trouble", 0.3),), follow=follow))
    assert (d.kind, d.topic) == ("faq", "emedia.biblio_app")


def test_an_unclear_correction_is_asked_back_without_the_topic_just_answered() -> None:
    candidates = (("emedia.libby", 0.5), ("emedia.biblio_app", 0.3), ("emedia.legimus", 0.2))
    d = decide(_after({"correction": 0.9}, candidates=candidates, follow=(("emedia.libby", 0.9),)))
    assert d.kind == "clarify" and d.options == ("emedia.biblio_app", "emedia.legimus")


def test_a_correction_before_any_answer_is_an_ordinary_question() -> None:
    d = decide(u({"correction": 0.9}, ("emedia.libby", 0.8)))
    assert (d.kind, d.topic) == ("faq", "emedia.libby")


def test_without_a_correction_the_topic_just_answered_may_be_answered_again() -> None:
    # "and audiobooks?" after Libby: the same topic again is right
    follow = (("emedia.libby", 0.8),)
    d = decide(_after({"follow_up": 0.9}, candidates=(("emedia.biblio_app", 0.5),), follow=follow))
    assert (d.kind, d.topic) == ("faq", "emedia.libby")
