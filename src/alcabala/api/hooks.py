"""What write routes do after their transaction commits: refresh this process's hotlist."""

from __future__ import annotations

from fastapi import Request


def after_write(request: Request) -> None:
    """Apply the changes just committed to the in-memory hotlist, so that the very next check
    on this process sees them (other processes catch up on their own refresh cycle)."""
    hotlist = getattr(request.app.state.runtime, "hotlist", None)
    if hotlist is not None:
        hotlist.refresh()
