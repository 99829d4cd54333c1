"""Approving a detention made on a stated reason, and finding those left unapproved.

A detention on a confirmed hit is justified at once (:mod:`.seizing`). One on a reason the
officer stated waits for a supervisor of the seizing agency, who approves it or rejects it
(the person must be let go), with a reason, within ``Settings.detention_approval_hours``.
One still waiting after that is *unapproved*: oversight sees it (:func:`unapproved`).
Each move is a transition row logged as ``detention.<status>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from alcabala.accounts.audit import audit_lookup
from alcabala.accounts.models import Role
from alcabala.context import Ctx
from alcabala.custody.models import Detention, DetentionStatus, DetentionTransition
from alcabala.custody.schemas import AnswerIn
from alcabala.db.lifecycle import Lifecycle, transition
from alcabala.errors import ForbiddenError, NotFoundError

S = DetentionStatus
DETENTION = Lifecycle(
    entity="detention",
    label="detention",
    moves={S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.REJECTED})},
    needs_reason=frozenset({S.APPROVED, S.REJECTED}),
)


def decide(ctx: Ctx, detention_id: int, approve: bool, data: AnswerIn) -> Detention:
    """A supervisor of the seizing agency approves or rejects the detention."""
    detention = ctx.session.get(Detention, detention_id)
    if detention is None:
        raise NotFoundError("No detention has this number.", field="detention")
    actor = ctx.actor
    if not actor.is_system and (
        actor.role != Role.SUPERVISOR or actor.agency_id != detention.agency_id
    ):
        raise ForbiddenError(
            "Only a supervisor of the seizing agency approves a detention.", field="detention"
        )
    transition(
        ctx.session,
        detention,
        DETENTION,
        (S.APPROVED if approve else S.REJECTED).value,
        history=DetentionTransition,
        history_fk="detention_id",
        actor_id=ctx.actor_id,
        at=ctx.now(),
        reason=data.reason,
        log_history=True,
        agency_id=detention.agency_id,
    )
    return detention


def is_overdue(detention: Detention, now: dt.datetime) -> bool:
    return (
        detention.status == S.AWAITING_APPROVAL
        and detention.approve_by is not None
        and detention.approve_by <= now
    )


def unapproved(ctx: Ctx, agency_id: int | None = None) -> Sequence[Detention]:
    """Detentions on a stated reason still unapproved past their deadline, oldest first."""
    query = select(Detention).where(
        Detention.status == S.AWAITING_APPROVAL, Detention.approve_by <= ctx.now()
    )
    if agency_id is not None:
        query = query.where(Detention.agency_id == agency_id)
    return ctx.session.scalars(query.order_by(Detention.approve_by)).all()


def awaiting(ctx: Ctx) -> Sequence[Detention]:
    """For a supervisor: the detentions of their agency waiting for approval, oldest
    deadline first; each names a person, so the read is audited."""
    actor = ctx.actor
    if actor.role != Role.SUPERVISOR or actor.agency_id is None:
        return []
    query = select(Detention).where(
        Detention.status == S.AWAITING_APPROVAL, Detention.agency_id == actor.agency_id
    )
    found = ctx.session.scalars(query.order_by(Detention.approve_by)).all()
    for d in found:
        audit_lookup(ctx, "list", "person", d.national_id, reason="detentions to approve")
    return found
