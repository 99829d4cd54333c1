"""Reads of persons and warrants: each one audited, in the service, for every door.

A lookup that finds nothing is still a lookup: the audit row is written first, under the
normalized national ID. Officers and registrars must say why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alcabala.accounts.audit import audit_lookup, need_reason
from alcabala.context import Ctx
from alcabala.errors import NotFoundError
from alcabala.persons.models import Person, Warrant
from alcabala.persons.services import find_person, get_warrant
from alcabala.schemas import normalize_national_id


@dataclass(frozen=True)
class PersonFile:
    """A person with every warrant naming them, newest first."""

    person: Person
    warrants: list[Warrant]


def warrants_of(session: Session, person: Person) -> list[Warrant]:
    return list(
        session.scalars(
            select(Warrant)
            .where(Warrant.person_id == person.id)
            .order_by(Warrant.issued_at.desc(), Warrant.id.desc())
        )
    )


def person_file(ctx: Ctx, national_id: str, country: str, reason: str) -> PersonFile:
    """The person with this national ID and their warrants (audited; 404 if unknown)."""
    why = need_reason(ctx, reason)
    normalized = normalize_national_id(national_id, country)
    audit_lookup(ctx, "search", "person", normalized, reason=why)
    person = find_person(ctx.session, normalized, country)
    if person is None:
        raise NotFoundError(
            f"No person {country} {normalized}.", field="national_id", keeps_changes=True
        )
    return PersonFile(person, warrants_of(ctx.session, person))


def warrant(ctx: Ctx, warrant_id: int, reason: str) -> Warrant:
    """An arrest warrant (audited under the national ID it names)."""
    why = need_reason(ctx, reason)
    found = get_warrant(ctx.session, warrant_id)
    audit_lookup(ctx, "read", "person", found.person.national_id, reason=why)
    return found
