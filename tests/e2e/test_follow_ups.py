"""End to end: follow-ups through the real stack (issue 15, decision 0015). Each kind of follow-up
a resident writes, in Swedish, English, Arabic and Somali: the message is understood with the
conversation before it (the topic last answered, the language asked for), by the trained Rasa
model, the action server's reply policy and the live content.

Each line is a turn and what its first reply must be: `topic:<id>` (the FAQ answer of that
topic), `handoff`, `smalltalk`, `out_of_scope`, or `language:<code>` (the switch, after which
every reply is in that language).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

KINDS = ("ellipsis", "pronoun", "correction", "new_topic", "not_helped", "closing", "off_topic", "language")

CONVERSATIONS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "sv": {
        "ellipsis": [
            ("Hur skaffar jag ett lånekort?", "topic:card.get"),
            ("och för min dotter som är 10?", "topic:card.get"),
        ],
        "pronoun": [
            ("Hur lånar jag om mina böcker?", "topic:loan.renew"),
            ("kan jag göra det i appen?", "topic:loan.renew"),
        ],
        "correction": [
            ("Jag har tappat bort en bok som jag lånat", "topic:loan.lost_item"),
            ("nej förlåt, det är lånekortet jag har tappat, inte boken", "topic:card.lost"),
        ],
        "new_topic": [
            ("Hur lånar jag om mina böcker?", "topic:loan.renew"),
            ("En annan sak: har ni grupprum man kan boka?", "topic:visit.rooms"),
        ],
        "not_helped": [
            ("Jag har glömt min pinkod", "topic:card.pin"),
            ("har redan provat allt det där, funkar fortfarande inte", "handoff"),
        ],
        "closing": [("Hur länge får jag låna en bok?", "topic:loan.period"), ("tack för hjälpen!", "smalltalk")],
        "off_topic": [
            ("Hur reserverar jag en bok som är utlånad?", "topic:loan.reserve"),
            ("vem vann melodifestivalen i år?", "out_of_scope"),
            ("okej. hur länge har jag på mig att hämta den då?", "topic:loan.reserve"),
        ],
        "language": [
            ("Hur skaffar jag ett lånekort?", "topic:card.get"),
            ("kan du svara på engelska istället? det är lättare för mig", "language:en"),
            ("behöver man ha legitimation med sig?", "topic:card.get"),
        ],
    },
    "en": {
        "ellipsis": [
            ("How do I renew my books?", "topic:loan.renew"),
            ("and if someone has reserved it?", "topic:loan.renew"),
        ],
        "pronoun": [("I forgot my PIN code", "topic:card.pin"), ("can I reset it online?", "topic:card.pin")],
        "correction": [
            ("What are the opening hours of the library?", "topic:visit.hours"),
            ("no, I mean the early hours without staff, when you get in with your card", "topic:visit.self_service"),
        ],
        "new_topic": [
            ("How do I reserve a book that is on loan?", "topic:loan.reserve"),
            ("Another question: can I print documents at the library?", "topic:visit.printing"),
        ],
        "not_helped": [
            ("I forgot my PIN code", "topic:card.pin"),
            ("I tried all that already and it still doesn't work", "handoff"),
        ],
        "closing": [
            ("How many books can I borrow at once?", "topic:loan.limit"),
            ("great, thanks a lot!", "smalltalk"),
        ],
        "off_topic": [
            ("Do you have e-books for children?", "topic:emedia.kids"),
            ("what will the weather be like tomorrow?", "out_of_scope"),
            ("ok. and are the e-books for kids free?", "topic:emedia.kids"),
        ],
        "language": [
            ("Where can I return my books?", "topic:loan.return"),
            ("can you answer in Swedish please? I'm practising", "language:sv"),
            ("can I return them when the library is closed?", "topic:loan.return"),
        ],
    },
    "ar": {
        "ellipsis": [
            ("كيف أحصل على بطاقة مكتبة؟", "topic:card.get"),
            ("وبالنسبة لابني؟ عمره 12 سنة", "topic:card.get"),
        ],
        "pronoun": [
            ("أريد تجديد إعارة الكتب التي عندي، كيف أفعل ذلك؟", "topic:loan.renew"),
            ("هل أستطيع أن أفعل ذلك عبر الإنترنت؟", "topic:loan.renew"),
        ],
        "correction": [
            ("أضعت كتاباً استعرته من المكتبة، ماذا أفعل؟", "topic:loan.lost_item"),
            ("لا، ليس الكتاب، بطاقة المكتبة هي التي ضاعت مني", "topic:card.lost"),
        ],
        "new_topic": [
            ("متى تفتح المكتبة يوم السبت؟", "topic:visit.hours"),
            ("هل يمكنني أن أطبع بعض الأوراق في المكتبة؟", "topic:visit.printing"),
        ],
        "not_helped": [
            ("تطبيق Biblio لا يعمل ولا أستطيع تحميل الكتاب", "topic:emedia.trouble"),
            ("هذا لم يساعدني، جربت كل هذه الخطوات من قبل وما زالت المشكلة موجودة", "handoff"),
        ],
        "closing": [
            ("كم يوماً يمكنني أن أحتفظ بالكتاب؟", "topic:loan.period"),
            ("شكراً جزيلاً، مع السلامة", "smalltalk"),
        ],
        "off_topic": [
            ("أين يمكنني إرجاع الكتب؟", "topic:loan.return"),
            ("من فاز في مباراة كرة القدم أمس؟", "out_of_scope"),
            ("طيب، وإذا كانت المكتبة مغلقة؟", "topic:loan.return"),
        ],
        "language": [
            ("كيف أستعير كتباً إلكترونية في تطبيق Biblio؟", "topic:emedia.biblio_app"),
            ("من فضلك أجبني بالإنجليزية من الآن، لأن زوجي سيقرأ الرد معي ولا يفهم العربية", "language:en"),
            ("وهل توجد كتب إلكترونية للأطفال أيضاً؟", "topic:emedia.kids"),
        ],
    },
    "so": {
        "ellipsis": [
            ("Sideen wax ugu daabacan karaa maktabadda?", "topic:visit.printing"),
            ("Oo imisa ayay ku kacaysaa?", "topic:visit.printing"),
        ],
        "pronoun": [
            ("Waxaan ilaaway PIN-ka kaarka maktabadda", "topic:card.pin"),
            ("Internetka ma ka beddeli karaa?", "topic:card.pin"),
        ],
        "correction": [
            ("Waxaan ilaaway lambarka sirta ah (PIN) ee kaarka maktabadda", "topic:card.pin"),
            ("Maya, ma aha PIN-ka. Kaarka laftiisa ayaan lumiyay", "topic:card.lost"),
        ],
        "new_topic": [
            ("Xaggee ku celin karaa buugaagta aan amaahday?", "topic:loan.return"),
            ("Maktabadda ma ku jiraan buugaag af-Soomaali ah?", "topic:visit.languages"),
        ],
        "not_helped": [
            ("App-ka Biblio ma shaqaynayo, buugga ma soo dejin karo", "topic:emedia.trouble"),
            ("Taasi ima caawin. Dhammaan waan isku dayay horey, weli ma shaqaynayo", "handoff"),
        ],
        "closing": [
            ("Goorma ayay maktabaddu furan tahay maanta?", "topic:visit.hours"),
            ("Mahadsanid, nabad gelyo", "smalltalk"),
        ],
        "off_topic": [
            ("Sideen u xajistaa buug uu qof kale hadda amaahday?", "topic:loan.reserve"),
            ("Cimiladu sidee bay ahaan doontaa berri Stockholm?", "out_of_scope"),
            ("Hagaag, oo marka buuggu diyaar noqdo sideen ku ogaanayaa?", "topic:loan.reserve"),
        ],
        "language": [
            ("Maktabaddu ma iga caawin kartaa inaan barto af-Iswiidhishka?", "topic:visit.learn_swedish"),
            (
                "Fadlan hadda laga bilaabo Ingiriisi iigu jawaab, maxaa yeelay Soomaaliga si fiican uma akhriyo",
                "language:en",
            ),
            ("Sideen uga qayb galaa kafeega luqadda?", "topic:visit.learn_swedish"),
        ],
    },
}


def _send(client: httpx.Client, conv: dict[str, Any], text: str) -> list[dict[str, Any]]:
    resp = client.post(
        f"/api/conversations/{conv['id']}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {conv['token']}"},
    )
    assert resp.status_code == 200, resp.text
    replies: list[dict[str, Any]] = resp.json()["messages"]
    assert replies
    return replies


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", sorted(CONVERSATIONS))
def test_a_follow_up_is_understood_with_the_conversation_before_it(stack: str, lang: str, kind: str) -> None:
    language = lang
    with httpx.Client(base_url=stack, timeout=30) as client:
        conv = client.post("/api/conversations", json={"channel": "web"}).json()
        for text, expect in CONVERSATIONS[lang][kind]:
            replies = _send(client, conv, text)
            first = replies[0]
            got = (first["kind"], first.get("topic"))
            if expect.startswith("language:"):
                language = expect.removeprefix("language:")
                assert got == ("system", None) and first["language"] == language, (text, first)
            elif expect.startswith("topic:"):
                assert got == ("faq", expect.removeprefix("topic:")), (text, got)
            else:
                assert first["kind"] == expect, (text, got)
            # every reply in the resident's language, or in the one asked for (it sticks)
            assert {r["language"] for r in replies} == {language}, (text, replies)
