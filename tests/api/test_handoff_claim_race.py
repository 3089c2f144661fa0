"""Claiming is safe under races: of several staff claiming one ticket at the same moment, exactly
one wins and every other gets a clear 409. Over HTTP with concurrent requests, and with direct
service calls in separate database sessions (the PostgreSQL row lock decides)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from api.db import session_scope
from api.handoff import tickets
from api.handoff.models import StaffUser, Ticket
from api.handoff.states import IllegalTransition

CLAIMERS = 6


def _waiting_ticket(resident, staff) -> int:  # type: ignore[no-untyped-def]
    resident.ask_for_person()
    return resident.ticket_id(staff)  # type: ignore[no-any-return]


def _race(desks, tid: int):  # type: ignore[no-untyped-def]
    """Every desk claims `tid` at the same moment; returns (desk, response) pairs."""
    barrier = threading.Barrier(len(desks))

    def claim(desk):  # type: ignore[no-untyped-def]
        barrier.wait()
        return desk, desk.act(tid, "claim")

    with ThreadPoolExecutor(len(desks)) as pool:
        return list(pool.map(claim, desks))


def test_concurrent_http_claims_have_exactly_one_winner(client, resident, make_staff, seeded) -> None:  # type: ignore[no-untyped-def]
    desks = [make_staff() for _ in range(CLAIMERS)]
    tid = _waiting_ticket(resident, desks[0])
    for round_ in range(3):
        results = _race(desks, tid)
        codes = sorted(r.status_code for _, r in results)
        assert codes == [200] + [409] * (CLAIMERS - 1), [r.text for _, r in results]
        (winner,) = [d for d, r in results if r.status_code == 200]
        for _, r in results:
            if r.status_code == 409:
                assert r.json()["detail"].startswith("This ticket was already claimed by")
        ticket = winner.ticket(tid)
        assert ticket["ticket"]["assignee"]["id"] == winner.id
        assert [m["event"] for m in ticket["messages"]].count("claimed") == round_ + 1
        # Back in the queue for the next round.
        assert winner.act(tid, "transfer", {"library": "solna"}).status_code == 200


def test_concurrent_claims_in_separate_sessions(client, resident, make_staff, seeded) -> None:  # type: ignore[no-untyped-def]
    desks = [make_staff() for _ in range(CLAIMERS)]
    tid = _waiting_ticket(resident, desks[0])
    barrier = threading.Barrier(CLAIMERS)

    def claim(staff_id: int) -> str:
        with session_scope() as session:
            staff = session.get(StaffUser, staff_id)
            ticket = tickets.load(session, tid)  # every claimer has read the ticket as waiting
            assert ticket.state == "waiting" and staff is not None
            barrier.wait()
            try:
                tickets.claim(session, ticket, staff)
            except IllegalTransition as exc:
                session.rollback()
                return str(exc)
            return "won"

    with ThreadPoolExecutor(CLAIMERS) as pool:
        outcomes = list(pool.map(claim, [d.id for d in desks]))
    assert outcomes.count("won") == 1, outcomes
    assert all(o.startswith("This ticket was already claimed by") for o in outcomes if o != "won")
    with session_scope() as session:
        ticket = session.get(Ticket, tid)
        assert ticket is not None and ticket.state == "with_staff"
        assert ticket.assignee_id == desks[outcomes.index("won")].id
