"""Background jobs every API worker runs, and the record of their runs that /health shows."""
