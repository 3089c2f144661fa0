"""Evaluate the running assistant through its HTTP API.

    python -m scripts.eval --input tests/devset/*.jsonl [--url http://127.0.0.1:8000]   (make eval)

Each JSONL line is {"text", "lang", "expect"} with expect `topic:<id>`, `handoff`,
`out_of_scope`, `greet`, `thanks` or `uncovered` (a library question no topic covers: right
when the reply is anything but an FAQ answer). Each text is the first message of a fresh
conversation. Prints per language and overall: kind+topic accuracy, reply-language
accuracy (the message's language, or English for unsupported ones), then the same per file
(the kinds of question: tests/devset/uncovered.jsonl...) with the share of FAQ answers, and
the misses. A line with `turns` is a whole conversation (tests/devset/conversations/), scored
per turn, per follow-up and per conversation by scripts/conversation_eval.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from scripts import conversation_eval

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = {lang["code"] for lang in yaml.safe_load((ROOT / "data" / "languages.yml").read_text())["languages"]}
EXPECTED_KIND = {"handoff": "handoff", "out_of_scope": "out_of_scope", "greet": "smalltalk", "thanks": "smalltalk"}


@dataclass
class Result:
    row: dict[str, str]
    kind: str | None
    topic: str | None
    languages: list[str]
    ok: bool
    language_ok: bool


def expected(expect: str) -> tuple[str, str | None]:
    if expect == "uncovered":
        return "not faq", None
    if expect.startswith("topic:"):
        return "faq", expect.removeprefix("topic:")
    return EXPECTED_KIND[expect], None


def answered(first: dict[str, str], kind: str, topic: str | None) -> bool:
    if kind == "not faq":  # an uncovered library question: anything but an FAQ answer
        return first.get("kind") != "faq"
    return (first.get("kind"), first.get("topic")) == (kind, topic)


def ask(client: httpx.Client, row: dict[str, str]) -> Result:
    conv = client.post("/api/conversations", json={"channel": "web"}).json()
    headers = {"Authorization": f"Bearer {conv['token']}"}
    resp = client.post(f"/api/conversations/{conv['id']}/messages", json={"text": row["text"]}, headers=headers)
    replies = resp.json().get("messages", []) if resp.status_code == 200 else []
    first = replies[0] if replies else {}
    kind, topic = expected(row["expect"])
    want_lang = row["lang"] if row["lang"] in SUPPORTED else "en"
    langs = [r["language"] for r in replies]
    return Result(
        row=row,
        kind=first.get("kind"),
        topic=first.get("topic"),
        languages=langs,
        ok=answered(first, kind, topic),
        language_ok=bool(langs) and all(lang == want_lang for lang in langs),
    )


def evaluate(url: str, rows: list[dict[str, str]], workers: int = 4) -> list[Result]:
    with httpx.Client(base_url=url, timeout=30) as client, ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda r: ask(client, r), rows))


def report(results: list[Result], out=sys.stdout) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    by_lang: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_lang[r.row["lang"]].append(r)
    summary: dict[str, dict[str, float]] = {}
    print(f"{'lang':<6}{'n':>5}{'kind+topic':>12}{'reply lang':>12}", file=out)
    for lang in [*sorted(by_lang), "all"]:
        group = results if lang == "all" else by_lang[lang]
        acc = sum(r.ok for r in group) / len(group)
        lacc = sum(r.language_ok for r in group) / len(group)
        summary[lang] = {"n": len(group), "accuracy": acc, "language_accuracy": lacc}
        print(f"{lang:<6}{len(group):>5}{acc:>11.1%}{lacc:>12.1%}", file=out)
    by_expect: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_expect[r.row["expect"].split(":")[0]].append(r)
    print(f"\n{'expected':<28}{'n':>5}{'right':>8}{'faq':>7}{'handoff':>9}", file=out)
    for name, group in sorted(by_expect.items()):
        n = len(group)
        right, faq = sum(r.ok for r in group) / n, sum(r.kind == "faq" for r in group) / n
        handoff = sum(r.kind == "handoff" for r in group) / n
        summary[f"expect:{name}"] = {"n": n, "accuracy": right, "faq": faq, "handoff": handoff}
        print(f"{name:<28}{n:>5}{right:>8.1%}{faq:>7.1%}{handoff:>9.1%}", file=out)
    by_file: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_file[r.row.get("file", "?")].append(r)
    if len(by_file) > 1:
        print(f"\n{'file':<28}{'n':>5}{'right':>8}{'faq':>7}{'handoff':>9}", file=out)
        for name, group in sorted(by_file.items()):
            n = len(group)
            right = sum(r.ok for r in group) / n
            faq = sum(r.kind == "faq" for r in group) / n
            handoff = sum(r.kind == "handoff" for r in group) / n
            summary[f"file:{name}"] = {"n": n, "accuracy": right, "faq": faq, "handoff": handoff}
            print(f"{name:<28}{n:>5}{right:>8.1%}{faq:>7.1%}{handoff:>9.1%}", file=out)
    misses = [r for r in results if not (r.ok and r.language_ok)]
    if misses:
        print(f"\nMisses ({len(misses)}):", file=out)
        for r in misses:
            got = f"{r.kind}:{r.topic}" if r.topic else str(r.kind)
            print(
                f"  [{r.row['lang']}] expected {r.row['expect']}, got {got} in {','.join(r.languages)}: "
                f"{r.row['text'][:70]}",
                file=out,
            )
    return summary


def load(paths: list[str]) -> list[dict[str, str]]:
    rows = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append({**json.loads(line), "file": f"{Path(path).parent.name}/{Path(path).stem}"})
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: not JSON ({exc})") from None
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", nargs="+", required=True, help="JSONL file(s)")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--json", help="also write the summary as JSON to this file")
    args = parser.parse_args()
    rows = load(args.input)
    single = [r for r in rows if "turns" not in r]
    conversations = [r for r in rows if "turns" in r]
    summary = report(evaluate(args.url, single)) if single else {}
    if conversations:
        with httpx.Client(base_url=args.url, timeout=30) as client, ThreadPoolExecutor(4) as pool:
            done = list(pool.map(lambda c: conversation_eval.run(client, c, SUPPORTED), conversations))
        summary |= conversation_eval.report(done)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
