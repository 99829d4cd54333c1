"""Rules shared by every registry, each written once (the domain rules live in each
domain's ``rules.py``). Services and bulk import call the same functions."""

from __future__ import annotations

from alcabala.errors import ConflictError

DUPLICATE = "duplicate"


def unique(what: str, value: str, exists: bool, field: str = "number") -> None:
    """A natural key (a record number, a code, a VIN) is used once."""
    if exists:
        raise ConflictError(f"{what} {value} already exists.", field=field, code=DUPLICATE)
