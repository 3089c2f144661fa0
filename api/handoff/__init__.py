"""Human handoff: conversation states, the shared staff ticket queue, staff accounts and live updates.

See docs/decisions/0005-handoff.md.
"""
