"""Multi-turn conversations through the running stack's HTTP API (issue 15), for scripts/eval.py.

A line with `turns` is one conversation (tests/devset/conversations/README.md): its messages are
sent in order in one conversation, each after the previous reply. Each turn is right when its
first reply has the expected kind and topic; `language` is right when the reply is the switch
(a system reply) in the language asked for. Reply language: every reply of the turn is in
`reply_lang` when the turn has one (a switch sticks), else in the resident's language.

Reported per language: first turns, follow-ups and whole conversations (every turn right), the
reply language; then per kind of follow-up, and the misses.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TextIO

import httpx

# What a resident's turn expects -> the reply's kind (topics and `language` are handled apart).
KINDS = {"handoff": "handoff", "out_of_scope": "out_of_scope", "thanks": "smalltalk", "goodbye": "smalltalk"}


@dataclass
class Turn:
    conversation: str
    lang: str
    index: int
    follow: str | None
    text: str
    expect: str
    got: str
    ok: bool
    language_ok: bool
    languages: list[str]


def _right(expect: str, first: dict[str, Any], want_lang: str) -> bool:
    if expect.startswith("topic:"):
        return (first.get("kind"), first.get("topic")) == ("faq", expect.removeprefix("topic:"))
    if expect == "language":
        return first.get("kind") == "system" and first.get("language") == want_lang
    return first.get("kind") == KINDS[expect]


def run(client: httpx.Client, conv: dict[str, Any], supported: set[str]) -> list[Turn]:
    made = client.post("/api/conversations", json={"channel": "web"}).json()
    headers = {"Authorization": f"Bearer {made['token']}"}
    own = conv["lang"] if conv["lang"] in supported else "en"
    turns = []
    for i, turn in enumerate(conv["turns"]):
        resp = client.post(f"/api/conversations/{made['id']}/messages", json={"text": turn["text"]}, headers=headers)
        replies = resp.json().get("messages", []) if resp.status_code == 200 else []
        first = replies[0] if replies else {}
        want = turn.get("reply_lang") or own
        langs = [r.get("language", "") for r in replies]
        got = f"{first.get('kind')}:{first.get('topic')}" if first.get("topic") else str(first.get("kind"))
        turns.append(
            Turn(
                conversation=conv.get("id", "?"),
                lang=conv["lang"],
                index=i,
                follow=turn.get("follow"),
                text=turn["text"],
                expect=turn["expect"],
                got=got,
                ok=_right(turn["expect"], first, want),
                language_ok=bool(langs) and all(lang == want for lang in langs),
                languages=langs,
            )
        )
    return turns


def report(conversations: list[list[Turn]], out: TextIO = sys.stdout) -> dict[str, dict[str, float]]:
    by_lang: dict[str, list[list[Turn]]] = defaultdict(list)
    for turns in conversations:
        by_lang[turns[0].lang].append(turns)
    summary: dict[str, dict[str, float]] = {}
    print(f"\n{'conversations':<14}{'n':>4}{'first':>8}{'follow-ups':>12}{'whole':>8}{'reply lang':>12}", file=out)
    for lang in [*sorted(by_lang), "all"]:
        group = conversations if lang == "all" else by_lang[lang]
        turns = [t for c in group for t in c]
        first = [t for t in turns if t.index == 0]
        follow = [t for t in turns if t.index > 0]
        row = {
            "n": len(group),
            "first": sum(t.ok for t in first) / len(first),
            "follow_ups": sum(t.ok for t in follow) / len(follow) if follow else 0.0,
            "whole": sum(all(t.ok for t in c) for c in group) / len(group),
            "language_accuracy": sum(t.language_ok for t in turns) / len(turns),
        }
        summary[f"conversations:{lang}"] = row
        print(
            f"{lang:<14}{row['n']:>4}{row['first']:>8.1%}{row['follow_ups']:>12.1%}{row['whole']:>8.1%}"
            f"{row['language_accuracy']:>12.1%}",
            file=out,
        )
    by_follow: dict[str, list[Turn]] = defaultdict(list)
    for t in (t for c in conversations for t in c if t.index > 0):
        by_follow[t.follow or "?"].append(t)
    print(f"\n{'follow-up':<14}{'n':>4}{'right':>8}", file=out)
    for name, group in sorted(by_follow.items()):
        right = sum(t.ok for t in group) / len(group)
        summary[f"follow:{name}"] = {"n": len(group), "accuracy": right}
        print(f"{name:<14}{len(group):>4}{right:>8.1%}", file=out)
    misses = [t for c in conversations for t in c if not (t.ok and t.language_ok)]
    if misses:
        print(f"\nConversation misses ({len(misses)}):", file=out)
        for t in misses:
            print(
                f"  [{t.conversation} #{t.index + 1} {t.follow or 'first'}] expected {t.expect}, got {t.got} "
                f"in {','.join(t.languages)}: {t.text[:60]}",
                file=out,
            )
    return summary
