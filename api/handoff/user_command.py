"""`python -m api.cli create-user`: create a staff account (the first admin, then anyone).

    python -m api.cli create-user --email anna@bibliotek.example --name "Anna A" --role admin
        --library stockholm --languages sv,en [--password ...]

Without --password it asks for one (twice, not echoed).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from api.db import session_scope
from api.handoff import accounts
from api.handoff.models import ROLES


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "create-user",
        help="create a staff account",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="", help="the name colleagues see (default: from the e-mail address)")
    p.add_argument("--role", choices=ROLES, default="staff")
    p.add_argument("--library", required=True, help="a library id, e.g. stockholm (GET /api/libraries)")
    p.add_argument("--languages", default="sv", help="comma-separated language codes the person writes, e.g. sv,en,so")
    p.add_argument("--password", help="omit to be asked (safer: not in the shell history)")


def _ask_password() -> str:
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("Again: ") != first:
        sys.exit("The passwords differ; nothing was created.")
    return first


def run(args: argparse.Namespace) -> None:
    password = args.password if args.password is not None else _ask_password()
    try:
        with session_scope() as session:
            user = accounts.create_user(
                session,
                email=args.email,
                name=args.name,
                password=password,
                role=args.role,
                library=args.library,
                languages=args.languages.split(","),
            )
            languages = ",".join(user.languages)
            print(f"created {user.role} account {user.email} (id {user.id}, {user.library_id}, {languages})")
    except accounts.AccountError as exc:
        sys.exit(f"Not created: {exc}")


def ensure_demo() -> None:
    with session_scope() as session:
        accounts.ensure_demo_accounts(session)
    print(
        f"demo accounts: {accounts.DEMO_EMAIL} (desk staff) and {accounts.DEMO_COORDINATOR_EMAIL} (coordinator),"
        f" password {accounts.DEMO_PASSWORD}"
    )
