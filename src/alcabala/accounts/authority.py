"""Who may change a record: the agency that owns it, and nobody else.

Every registry record belongs to an agency. Roles (checked at each route by ``require``)
say what kind of thing a user may do; these functions, called by every service that
changes a record, say *whose* records: only users of the owning agency change them, the
administrator changes nothing in the registries, and the agency a new record belongs to is
the acting user's own, never one named in the request. The system itself (sweeps, bulk
import) acts for every agency. Reads across agencies stay allowed where the mission needs
them (an officer checking a stop), and are audited by the lookups.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alcabala.accounts.models import Agency, Role
from alcabala.accounts.services import get_agency
from alcabala.context import Ctx
from alcabala.errors import ForbiddenError

NOT_OWNER = "not_owner"
NO_AGENCY = "no_agency"


def _refuse_admin(ctx: Ctx) -> None:
    if ctx.actor.role == Role.ADMIN:
        raise ForbiddenError(
            "The administrator manages users and checkpoints, not registry records.",
            code=NOT_OWNER,
        )


def must_own(ctx: Ctx, agency_id: int | None, what: str, field: str = "id") -> None:
    """Refuse unless ``ctx.actor`` belongs to the agency owning ``what`` (or is the system)."""
    if ctx.actor.is_system:
        return
    _refuse_admin(ctx)
    if ctx.actor.agency_id is None or ctx.actor.agency_id != agency_id:
        raise ForbiddenError(
            f"Only the agency that owns {what} can change it.", field=field, code=NOT_OWNER
        )


def acting_agency(ctx: Ctx, requested: str | None, field: str = "agency") -> Agency:
    """The agency a new record belongs to: the actor's own. A request naming another agency
    is refused (not silently corrected); the system, importing, names it explicitly."""
    session: Session = ctx.session
    if ctx.actor.is_system:
        if not requested:
            raise ForbiddenError("The system must name the owning agency.", field=field)
        return get_agency(session, requested, field=field)
    _refuse_admin(ctx)
    if ctx.actor.agency_id is None:
        raise ForbiddenError(
            "Your account belongs to no agency, so it cannot file records.",
            field=field,
            code=NO_AGENCY,
        )
    own = session.get(Agency, ctx.actor.agency_id)
    assert own is not None
    if requested and requested.strip().upper() != own.code:
        raise ForbiddenError(
            f"You file records for {own.code}, not for {requested.strip().upper()}.",
            field=field,
            code=NOT_OWNER,
        )
    return own
