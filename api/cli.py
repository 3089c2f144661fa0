"""Operations commands: `python -m api.cli migrate|seed|purge|setup` (setup = all three, plus the demo
staff account when DEMO_ACCOUNTS=1), `warm-cache [NLU_DIR...]` (embeds the seed's question variants, and the
examples Rasa trains from, into the cache without a database, before Rasa trains) and
`python -m api.cli create-user --email ... --role ... --library ...`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from api.conversations.retention import run_purge
from api.db import session_scope
from api.faq.retrieval import get_index, not_covered_questions
from api.faq.seed import read_faq_files, seed_faq, seed_texts
from api.handoff import user_command
from api.language.intent_examples import nlu_file_examples
from api.libraries.seed import seed_libraries
from api.production_guard import InsecureSettings, require_safe_settings
from api.settings import get_settings


def migrate() -> None:
    url = get_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(Config(str(Path(__file__).parent / "alembic.ini")), "head")


def seed() -> None:
    with session_scope() as session:
        libs = seed_libraries(session)
        session.flush()
        faq = seed_faq(session)
        texts = seed_texts(session)
    with session_scope() as session:
        get_index().refresh(session)  # embeds new question variants once, into the cache
    print(f"seeded {libs} libraries, {faq} FAQ translations changed, {texts} bot texts changed")


def nlu_examples(paths: list[Path]) -> list[str]:
    """The examples of Rasa's NLU files and folders, as Rasa reads them."""
    files = [file for path in paths for file in (sorted(path.rglob("*.yml")) if path.is_dir() else [path])]
    return [text for file in files for _, text in nlu_file_examples(file)]


def warm_cache(nlu: list[Path]) -> None:
    """A fresh machine embeds some fifteen thousand texts once: the FAQ's question variants (the
    API's retrieval) and Rasa's training examples (its featurizer reads this cache), each text
    once (the engine uses every core by itself). Rasa then trains without embedding anything."""
    texts = [
        text
        for ff in read_faq_files(get_settings().data_dir / "faq")
        for entry in ff.entries
        for text in (str(entry["title"]).strip(), *(str(q).strip() for q in entry["questions"]))
        if text
    ]
    texts += not_covered_questions() + nlu_examples(nlu)
    distinct = list(dict.fromkeys(texts))
    embedder = get_index().embedder
    embedder.embed(distinct)
    embedder.save()
    print(f"embedding cache warm: {len(distinct)} texts")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("migrate", "seed", "setup", "purge"):
        commands.add_parser(name)
    commands.add_parser("warm-cache").add_argument("nlu", nargs="*", type=Path, help="Rasa NLU files or folders")
    user_command.add_parser(commands)
    args = parser.parse_args()
    if args.command == "create-user":
        user_command.run(args)
        return
    if args.command == "warm-cache":
        warm_cache(args.nlu)
        return
    if args.command == "setup":  # the production image runs it before the API: stop there already
        try:
            require_safe_settings(get_settings())
        except InsecureSettings as exc:
            sys.exit(str(exc))
    if args.command in ("migrate", "setup"):
        migrate()
    if args.command in ("seed", "setup"):
        seed()
    if args.command in ("purge", "setup"):
        deleted = run_purge()
        if deleted is None:
            raise SystemExit("the retention purge failed; see the log above")
        print(f"deleted {deleted} expired conversations")
    if args.command == "setup" and get_settings().demo_accounts:
        user_command.ensure_demo()


if __name__ == "__main__":
    main()
