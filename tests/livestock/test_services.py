"""Use cases of premises, brands, transit permits and livestock thefts, on SQLite and PostgreSQL.

Every lifecycle rule is checked together with what it leaves behind: the record's status and
version, one history row per transition (from, to, actor, reason, time) and one row on the
change sequence, both stamped by the clock; and a refused move leaves all three untouched.
Time is the test's :class:`~alcabala.clock.FixedClock`, moved where a rule depends on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from alcabala.accounts.models import AuditEntry, User
from alcabala.accounts.services import add_agency, add_user
from alcabala.clock import FixedClock
from alcabala.context import SYSTEM, Actor, Ctx, Door
from alcabala.db.history import Change
from alcabala.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    TransitionError,
    ValidationError,
)
from alcabala.livestock import services
from alcabala.livestock.models import (
    LivestockTheft,
    LivestockTheftTransition,
    Permit,
    PermitTransition,
)
from alcabala.livestock.schemas import (
    BrandIn,
    LivestockTheftIn,
    LivestockTheftOut,
    PermitIn,
    PermitOut,
    PremisesIn,
)
from alcabala.persons.models import Person

TAG_1 = "862000000000001"
TAG_2 = "862000000000002"
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

History = list[tuple[str | None, str, int | None, str, dt.datetime]]


# Local helpers ---------------------------------------------------------------------------------


def as_actor(user: User) -> Actor:
    """The user as the services see them (through the API)."""
    return Actor(user.id, user.username, user.role, user.agency_id, "api")


def _actor(door: Door) -> Actor:
    """A livestock agency (INSAI) and one of its users."""
    with door.write(SYSTEM) as ctx:
        add_agency(ctx.session, "INSAI", "Instituto de Salud Agrícola Integral", kind="livestock")
        user, _token = add_user(ctx.session, "ganadero", "livestock", "INSAI")
        return as_actor(user)


def _user(door: Door, user_id: int) -> Actor:
    with door.read(SYSTEM) as ctx:
        user = ctx.session.get(User, user_id)
        assert user is not None
        return as_actor(user)


def _premises(door: Door, *codes: str) -> None:
    with door.write(SYSTEM) as ctx:
        for code in codes:
            services.register_premises(ctx, PremisesIn(code=code, name=f"Hato {code}"))


def _brand(door: Door, mark: str, premises: str) -> None:
    with door.write(SYSTEM) as ctx:
        services.register_brand(ctx, BrandIn(mark=mark, premises=premises))


def _permit_in(base: dt.datetime, **overrides: Any) -> PermitIn:
    """A permit valid from an hour before ``base`` to two days after it."""
    data: dict[str, Any] = {
        "number": "G-0001",
        "issuer": "INSAI",
        "origin_premises": "HATO-1",
        "destination_premises": "HATO-2",
        "vehicle_plate": "AB123CD",
        "plate_country": "VE",
        "valid_from": base - HOUR,
        "valid_to": base + 2 * DAY,
        "lines": [
            {"species": "bovine", "category": "novillos", "head_count": 10, "brand": "LP"},
            {"species": "bovine", "category": "vacas", "head_count": 2},
        ],
        "ear_tags": [TAG_1, TAG_2],
    }
    return PermitIn.model_validate(data | overrides)


def _setup(door: Door, actor: Actor | None = None) -> Actor:
    """An actor (default: a new INSAI user), premises HATO-1 (brand LP) and HATO-2 (brand ZZ)."""
    actor = actor or _actor(door)
    _premises(door, "HATO-1", "HATO-2")
    _brand(door, "LP", "HATO-1")
    _brand(door, "ZZ", "HATO-2")
    return actor


def _issue(door: Door, actor: Actor, base: dt.datetime | None = None, **overrides: Any) -> int:
    """Issue a permit now (the clock's time); its window is around ``base`` (default: now)."""
    data = _permit_in(base or door.clock.now(), **overrides)
    with door.write(actor) as ctx:
        return services.issue_permit(ctx, data).id


def _permit_state(door: Door, permit_id: int) -> tuple[str, int]:
    with door.read(SYSTEM) as ctx:
        permit = ctx.session.get(Permit, permit_id)
        assert permit is not None
        return permit.status, permit.version


def _permit_history(door: Door, permit_id: int) -> History:
    with door.read(SYSTEM) as ctx:
        rows = ctx.session.scalars(
            select(PermitTransition)
            .where(PermitTransition.permit_id == permit_id)
            .order_by(PermitTransition.id)
        )
        return [(r.from_state, r.to_state, r.actor_id, r.reason, r.at) for r in rows]


def _theft_history(door: Door, theft_id: int) -> History:
    with door.read(SYSTEM) as ctx:
        rows = ctx.session.scalars(
            select(LivestockTheftTransition)
            .where(LivestockTheftTransition.theft_id == theft_id)
            .order_by(LivestockTheftTransition.id)
        )
        return [(r.from_state, r.to_state, r.actor_id, r.reason, r.at) for r in rows]


def _changes(door: Door, entity: str, entity_id: int | None = None) -> list[dt.datetime]:
    """The times of ``entity``'s rows on the change sequence, in sequence order."""
    query = select(Change.at).where(Change.entity == entity).order_by(Change.seq)
    if entity_id is not None:
        query = query.where(Change.entity_id == entity_id)
    with door.read(SYSTEM) as ctx:
        return list(ctx.session.scalars(query))


def _count(door: Door, model: type[Any]) -> int:
    with door.read(SYSTEM) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(model)) or 0


# Premises and brands ---------------------------------------------------------------------------


def test_register_premises_with_owner_and_brand(door: Door, clock: FixedClock) -> None:
    registered = clock.now()
    with door.write(SYSTEM) as ctx:
        premises = services.register_premises(
            ctx,
            PremisesIn(
                code="hato-9",
                name="Hato La Trinidad",
                owner_national_id="V-12.345.678",
                state="Apure",
                lat=7.9,
                lon=-67.5,
            ),
        )
    branded = clock.advance(HOUR)
    with door.write(SYSTEM) as ctx:
        brand = services.register_brand(
            ctx, BrandIn(mark="lt", premises="HATO-9", registered_at=dt.date(2001, 5, 1))
        )
    with door.read(SYSTEM) as ctx:
        session = ctx.session
        stored = services.get_premises(session, "hato-9")
        assert stored.id == premises.id and stored.code == "HATO-9"
        assert stored.owner is not None and stored.owner.national_id == "V12345678"
        assert stored.owner.created_at == registered
        found = services.find_brand(session, "LT")
        assert found is not None and found.id == brand.id and found.premises.code == "HATO-9"
        assert session.scalar(select(func.count()).select_from(Person)) == 1
    assert _changes(door, "premises", premises.id) == [registered]
    assert _changes(door, "person") == [registered]
    assert _changes(door, "brand", brand.id) == [branded]


def test_premises_and_brands_are_unique_and_brands_need_premises(door: Door) -> None:
    _premises(door, "HATO-1")
    _brand(door, "LP", "HATO-1")
    with pytest.raises(ConflictError) as exc, door.write(SYSTEM) as ctx:
        services.register_premises(ctx, PremisesIn(code="HATO-1", name="Otro"))
    assert (exc.value.code, exc.value.field) == ("duplicate", "code")
    with pytest.raises(ConflictError) as exc, door.write(SYSTEM) as ctx:
        services.register_brand(ctx, BrandIn(mark="LP", premises="HATO-1"))
    assert (exc.value.code, exc.value.field) == ("duplicate", "mark")
    with pytest.raises(NotFoundError) as not_found, door.write(SYSTEM) as ctx:
        services.register_brand(ctx, BrandIn(mark="QQ", premises="NOWHERE"))
    assert not_found.value.field == "premises"
    with door.read(SYSTEM) as ctx:
        assert services.find_brand(ctx.session, "QQ") is None
    assert len(_changes(door, "premises")) == 1
    assert len(_changes(door, "brand")) == 1


# Issuing ---------------------------------------------------------------------------------------


def test_issue_permit_stores_lines_tags_and_first_history_row(
    door: Door, clock: FixedClock
) -> None:
    actor = _setup(door)
    issued = clock.advance(HOUR)
    permit_id = _issue(door, actor, vehicle_plate="ab-123-cd")
    with door.read(actor) as ctx:
        permit = services.get_permit_by_number(ctx.session, "g-0001")
        assert permit.id == permit_id
        out = PermitOut.model_validate(permit)
    assert out.status == "issued" and out.version == 1
    assert (out.issuer, out.origin_premises, out.destination_premises) == (
        "INSAI",
        "HATO-1",
        "HATO-2",
    )
    assert out.vehicle_plate == "AB123CD"
    assert [(line.position, line.head_count, line.brand) for line in out.lines] == [
        (0, 10, "LP"),
        (1, 2, ""),
    ]
    assert out.ear_tags == [TAG_1, TAG_2]
    assert out.valid_to.tzinfo is not None
    assert out.valid_to == issued + 2 * DAY
    assert _permit_history(door, permit_id) == [(None, "issued", actor.id, "", issued)]
    assert _changes(door, "permit", permit_id) == [issued]


def test_issue_permit_refuses_duplicates_unknowns_and_past_windows(
    door: Door, clock: FixedClock
) -> None:
    actor = _setup(door)
    _issue(door, actor)
    cases: list[tuple[type[Exception], str, str, dict[str, Any]]] = [
        (ConflictError, "duplicate", "number", {}),
        (ForbiddenError, "not_owner", "issuer", {"number": "G-2", "issuer": "NOBODY"}),
        (NotFoundError, "not_found", "origin_premises", {"number": "G-2", "origin_premises": "X"}),
        (
            NotFoundError,
            "not_found",
            "destination_premises",
            {"number": "G-2", "destination_premises": "X"},
        ),
    ]
    for error, code, field, overrides in cases:
        with pytest.raises(error) as exc:
            _issue(door, actor, **overrides)
        assert (getattr(exc.value, "code", None), getattr(exc.value, "field", None)) == (
            code,
            field,
        )
    # Three days later, a permit whose window closed a day ago would be born expired.
    window = clock.now()
    clock.advance(3 * DAY)
    with pytest.raises(ValidationError) as invalid:
        _issue(door, actor, base=window, number="G-2")
    assert invalid.value.field == "valid_to"
    assert _count(door, Permit) == 1
    assert len(_changes(door, "permit")) == 1


def test_brand_must_be_registered_to_the_origin_premises(door: Door) -> None:
    actor = _setup(door)
    lines = [
        {"species": "bovine", "head_count": 3, "brand": "LP"},
        {"species": "bovine", "head_count": 3, "brand": "ZZ"},  # belongs to the destination
    ]
    with pytest.raises(ValidationError) as exc:
        _issue(door, actor, lines=lines)
    assert exc.value.field == "lines.1.brand"
    assert "HATO-2" in exc.value.message and "HATO-1" in exc.value.message

    with pytest.raises(ValidationError) as unknown:
        _issue(door, actor, lines=[{"species": "equine", "head_count": 2, "brand": "NOPE"}])
    assert unknown.value.field == "lines.0.brand"
    assert "not registered" in unknown.value.message

    assert _count(door, Permit) == 0
    assert _count(door, PermitTransition) == 0
    assert _changes(door, "permit") == []


# Using, cancelling, expiring -------------------------------------------------------------------


def test_issue_then_use(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    issued = clock.now()
    permit_id = _issue(door, actor)
    used = clock.advance(5 * HOUR)
    with door.write(actor) as ctx:
        permit = services.use_permit(ctx, permit_id, reason="arrived at HATO-2", expected_version=1)
        assert permit.status == "used"
    assert _permit_state(door, permit_id) == ("used", 2)
    assert _permit_history(door, permit_id) == [
        (None, "issued", actor.id, "", issued),
        ("issued", "used", actor.id, "arrived at HATO-2", used),
    ]
    assert _changes(door, "permit", permit_id) == [issued, used]


def test_using_twice_is_refused_and_changes_nothing(door: Door) -> None:
    actor = _setup(door)
    permit_id = _issue(door, actor)
    with door.write(actor) as ctx:
        services.use_permit(ctx, permit_id)
    with pytest.raises(TransitionError) as exc, door.write(actor) as ctx:
        services.use_permit(ctx, permit_id)
    assert (exc.value.code, exc.value.field) == ("illegal_transition", "status")
    assert "is used; it cannot become used" in exc.value.message
    assert _permit_state(door, permit_id) == ("used", 2)
    assert [row[:2] for row in _permit_history(door, permit_id)] == [
        (None, "issued"),
        ("issued", "used"),
    ]
    assert len(_changes(door, "permit", permit_id)) == 2


def test_a_stale_version_is_a_conflict(door: Door) -> None:
    actor = _setup(door)
    permit_id = _issue(door, actor)
    with pytest.raises(ConflictError) as exc, door.write(actor) as ctx:
        services.use_permit(ctx, permit_id, expected_version=7)
    assert (exc.value.code, exc.value.field) == ("conflict", "version")
    assert _permit_state(door, permit_id) == ("issued", 1)
    assert len(_permit_history(door, permit_id)) == 1
    assert len(_changes(door, "permit", permit_id)) == 1


def test_cancel_needs_a_reason(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    permit_id = _issue(door, actor)
    with pytest.raises(ValidationError) as exc, door.write(actor) as ctx:
        services.cancel_permit(ctx, permit_id, "   ")
    assert exc.value.field == "reason"
    assert _permit_state(door, permit_id) == ("issued", 1)
    assert len(_permit_history(door, permit_id)) == 1
    assert len(_changes(door, "permit", permit_id)) == 1

    cancelled = clock.advance(HOUR)
    with door.write(actor) as ctx:
        services.cancel_permit(ctx, permit_id, "  issued in error  ", 1)
    assert _permit_state(door, permit_id) == ("cancelled", 2)
    assert _permit_history(door, permit_id)[-1] == (
        "issued",
        "cancelled",
        actor.id,
        "issued in error",
        cancelled,
    )
    assert _changes(door, "permit", permit_id)[-1] == cancelled
    assert len(_changes(door, "permit", permit_id)) == 2


@pytest.mark.parametrize(
    ("first", "then"),
    [("use", "cancel"), ("cancel", "use"), ("cancel", "cancel"), ("use", "use")],
)
def test_final_states_refuse_every_move(door: Door, first: str, then: str) -> None:
    actor = _setup(door)
    permit_id = _issue(door, actor)

    def move(ctx: Ctx, action: str) -> None:
        if action == "use":
            services.use_permit(ctx, permit_id)
        else:
            services.cancel_permit(ctx, permit_id, "withdrawn")

    with door.write(actor) as ctx:
        move(ctx, first)
    before = (_permit_state(door, permit_id), _permit_history(door, permit_id))
    with pytest.raises(TransitionError) as exc, door.write(actor) as ctx:
        move(ctx, then)
    assert exc.value.code == "illegal_transition"
    assert (_permit_state(door, permit_id), _permit_history(door, permit_id)) == before
    assert len(_changes(door, "permit", permit_id)) == 2


def test_a_refused_move_rolls_back_the_whole_unit_of_work(door: Door) -> None:
    actor = _setup(door)
    used = _issue(door, actor)
    fresh = _issue(door, actor, number="G-0002")
    with door.write(actor) as ctx:
        services.use_permit(ctx, used)
    with pytest.raises(TransitionError), door.write(actor) as ctx:
        services.use_permit(ctx, fresh)  # fine on its own...
        services.use_permit(ctx, used)  # ...but this one is refused
    assert _permit_state(door, fresh) == ("issued", 1)
    assert len(_permit_history(door, fresh)) == 1
    assert len(_changes(door, "permit", fresh)) == 1


def test_a_permit_cannot_be_used_before_valid_from(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    start = clock.now() + DAY
    window = {"valid_from": start, "valid_to": start + DAY}
    permit_id = _issue(door, actor, **window)
    offline = _issue(door, actor, number="G-0002", **window)
    with pytest.raises(TransitionError) as exc, door.write(actor) as ctx:
        services.use_permit(ctx, permit_id)
    assert exc.value.field == "valid_from"
    assert "cannot be used before" in exc.value.message
    assert f"{start:%Y-%m-%d %H:%M}" in exc.value.message
    assert _permit_state(door, permit_id) == ("issued", 1)
    assert len(_permit_history(door, permit_id)) == 1
    # Once the window opens, it can be used.
    opened = start + dt.timedelta(minutes=5)
    clock.set(opened)
    with door.write(actor) as ctx:
        services.use_permit(ctx, permit_id)
    assert _permit_state(door, permit_id) == ("used", 2)
    assert _permit_history(door, permit_id)[-1][-1] == opened
    # A check made (offline) inside the window counts, though it arrives after valid_to;
    # the history row is written when it arrives.
    arrived = clock.advance(2 * DAY)
    with door.write(actor) as ctx:
        services.use_permit(ctx, offline, at=start + dt.timedelta(minutes=10))
    assert _permit_state(door, offline) == ("used", 2)
    assert _permit_history(door, offline)[-1] == ("issued", "used", actor.id, "", arrived)
    assert _changes(door, "permit", offline)[-1] == arrived


def test_expiry_is_effective_before_the_sweeper_runs(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    now = clock.now()
    permit_id = _issue(door, actor, valid_to=now + HOUR)
    later = clock.advance(2 * HOUR)
    with door.read(actor) as ctx:
        permit = services.get_permit(ctx.session, permit_id)
        assert permit.effective_status(now) == "issued"
        assert permit.effective_status(permit.valid_to) == "expired"
        assert permit.effective_status(later) == "expired"
    with pytest.raises(TransitionError) as exc, door.write(actor) as ctx:
        services.use_permit(ctx, permit_id)
    assert exc.value.code == "illegal_transition"
    assert "is expired; it cannot become used" in exc.value.message
    assert _permit_state(door, permit_id) == ("issued", 1)
    assert len(_permit_history(door, permit_id)) == 1


def test_an_effectively_expired_permit_cannot_be_cancelled(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    now = clock.now()
    past = now - 3 * DAY
    clock.set(past)  # issued back then, expired since
    permit_id = _issue(door, actor, valid_from=past, valid_to=past + DAY)
    clock.set(now)
    with pytest.raises(TransitionError) as exc, door.write(actor) as ctx:
        services.cancel_permit(ctx, permit_id, "too late")
    assert "is expired; it cannot become cancelled" in exc.value.message
    assert _permit_state(door, permit_id) == ("issued", 1)
    assert _permit_history(door, permit_id) == [(None, "issued", actor.id, "", past)]


def test_the_sweeper_records_expiry_with_no_actor(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    now = clock.now()
    due = _issue(door, actor, valid_to=now + HOUR)
    not_due = _issue(door, actor, number="G-0002", valid_to=now + 3 * DAY)
    used = _issue(door, actor, number="G-0003", valid_to=now + HOUR)
    with door.write(actor) as ctx:
        services.use_permit(ctx, used)
    later = clock.advance(2 * HOUR)
    with door.write(SYSTEM) as ctx:
        assert services.expire_permits(ctx) == 1
    assert _permit_state(door, due) == ("expired", 2)
    assert _permit_history(door, due)[-1] == (
        "issued",
        "expired",
        None,
        "expired automatically at valid_to",
        later,
    )
    assert _changes(door, "permit", due) == [now, later]
    assert _permit_state(door, not_due) == ("issued", 1)
    assert _permit_state(door, used) == ("used", 2)
    # Idempotent: a second sweep finds nothing, and an expired permit cannot be used.
    clock.advance(HOUR)
    with door.write(SYSTEM) as ctx:
        assert services.expire_permits(ctx) == 0
    with pytest.raises(TransitionError), door.write(actor) as ctx:
        services.use_permit(ctx, due)
    assert len(_permit_history(door, due)) == 2
    # Once its valid_to passes, the sweeper catches the other one too.
    clock.set(now + 3 * DAY)
    with door.write(SYSTEM) as ctx:
        assert services.expire_permits(ctx) == 1
    assert _permit_state(door, not_due) == ("expired", 2)


def test_unknown_permits_are_not_found(door: Door) -> None:
    with door.read(SYSTEM) as ctx:
        with pytest.raises(NotFoundError) as exc:
            services.get_permit(ctx.session, 404)
        assert exc.value.field == "id"
        with pytest.raises(NotFoundError) as by_number:
            services.get_permit_by_number(ctx.session, "G-404")
        assert by_number.value.field == "number"


def _audit(door: Door) -> list[tuple[Any, ...]]:
    with door.read(SYSTEM) as ctx:
        rows = ctx.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [
            (
                e.user_id,
                e.role,
                e.agency_id,
                e.client,
                e.action,
                e.subject_kind,
                e.subject,
                e.reason,
            )
            for e in rows
        ]


def test_reading_a_permit_is_audited_and_officers_must_say_why(
    door: Door, clock: FixedClock, actors: dict[str, int]
) -> None:
    actor = _setup(door, _user(door, actors["vet"]))
    permit_id = _issue(door, actor)
    officer = _user(door, actors["officer"])
    with pytest.raises(ValidationError) as exc, door.lookup(officer) as ctx:
        services.read_permit(ctx, permit_id, "  ")
    assert exc.value.field == "reason"
    assert _audit(door) == []
    with door.lookup(officer) as ctx:
        assert services.read_permit(ctx, permit_id, "stop at Puente Aldao").id == permit_id
    with door.lookup(actor) as ctx:  # the livestock agency needs no reason
        assert services.read_permit_by_number(ctx, "g-0001", "").id == permit_id
    expected = [
        (
            officer.id,
            "officer",
            officer.agency_id,
            "api",
            "read",
            "vehicle",
            "AB123CD",
            "stop at Puente Aldao",
        ),
        (actor.id, "livestock", actor.agency_id, "api", "read", "vehicle", "AB123CD", ""),
    ]
    assert _audit(door) == expected
    with door.read(SYSTEM) as ctx:
        times = list(ctx.session.scalars(select(AuditEntry.at)))
    assert times == [clock.now(), clock.now()]


# Livestock thefts ------------------------------------------------------------------------------


def _theft_in(**overrides: Any) -> LivestockTheftIn:
    data: dict[str, Any] = {
        "number": "R-0001",
        "agency": "INSAI",
        "species": "bovine",
        "head_count": 12,
        "premises": "HATO-1",
        "brand": "LP",
        "ear_tags": [TAG_1],
    }
    return LivestockTheftIn.model_validate(data | overrides)


def test_theft_report_needs_a_brand_or_an_ear_tag(door: Door) -> None:
    actor = _setup(door)
    with pytest.raises(ValidationError) as exc, door.write(actor) as ctx:
        services.report_livestock_theft(ctx, _theft_in(brand=None, ear_tags=[]))
    assert exc.value.field == "brand"
    assert _count(door, LivestockTheft) == 0
    assert _changes(door, "livestock_theft") == []
    with door.write(actor) as ctx:
        by_tags = services.report_livestock_theft(ctx, _theft_in(brand=None))
        by_brand = services.report_livestock_theft(
            ctx, _theft_in(number="R-0002", ear_tags=[], premises=None)
        )
    assert by_tags.status == by_brand.status == "active"
    assert by_brand.premises_id is None


def test_theft_report_refuses_duplicates_and_unknowns(door: Door) -> None:
    actor = _setup(door)
    with door.write(actor) as ctx:
        services.report_livestock_theft(ctx, _theft_in())
    cases: list[tuple[type[Exception], str, str, dict[str, Any]]] = [
        (ConflictError, "duplicate", "number", {}),
        (ForbiddenError, "not_owner", "agency", {"number": "R-2", "agency": "NOBODY"}),
        (NotFoundError, "not_found", "premises", {"number": "R-2", "premises": "NOWHERE"}),
    ]
    for error, code, field, overrides in cases:
        with pytest.raises(error) as exc, door.write(actor) as ctx:
            services.report_livestock_theft(ctx, _theft_in(**overrides))
        assert (getattr(exc.value, "code", None), getattr(exc.value, "field", None)) == (
            code,
            field,
        )
    assert _count(door, LivestockTheft) == 1
    assert len(_changes(door, "livestock_theft")) == 1


def test_report_then_recover_once_only(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    reported = clock.now()
    with door.write(actor) as ctx:
        theft_id = services.report_livestock_theft(ctx, _theft_in(ear_tags=[TAG_1, TAG_2])).id
    with door.read(actor) as ctx:
        out = LivestockTheftOut.model_validate(services.get_livestock_theft(ctx.session, theft_id))
    assert (out.status, out.version, out.agency, out.premises) == ("active", 1, "INSAI", "HATO-1")
    assert out.ear_tags == [TAG_1, TAG_2] and out.brand == "LP"
    assert out.reported_at == reported and out.reported_at.tzinfo is not None
    assert _theft_history(door, theft_id) == [(None, "active", actor.id, "", reported)]
    assert _changes(door, "livestock_theft", theft_id) == [reported]

    recovered = clock.advance(3 * DAY)
    with door.write(actor) as ctx:
        theft = services.recover_livestock(ctx, theft_id, "found at Mantecal", 1)
        assert theft.status == "recovered"
    with pytest.raises(TransitionError) as exc, door.write(actor) as ctx:
        services.recover_livestock(ctx, theft_id)
    assert exc.value.code == "illegal_transition"
    assert "is recovered; it cannot become recovered" in exc.value.message

    with door.read(actor) as ctx:
        stored = services.get_livestock_theft(ctx.session, theft_id)
        assert (stored.status, stored.version) == ("recovered", 2)
    assert _theft_history(door, theft_id) == [
        (None, "active", actor.id, "", reported),
        ("active", "recovered", actor.id, "found at Mantecal", recovered),
    ]
    assert _changes(door, "livestock_theft", theft_id) == [reported, recovered]


def test_recover_with_a_stale_version_is_a_conflict(door: Door, clock: FixedClock) -> None:
    actor = _setup(door)
    with door.write(SYSTEM) as ctx:  # e.g. imported: no user
        theft_id = services.report_livestock_theft(ctx, _theft_in()).id
    with pytest.raises(ConflictError) as exc, door.write(actor) as ctx:
        services.recover_livestock(ctx, theft_id, expected_version=2)
    assert (exc.value.code, exc.value.field) == ("conflict", "version")
    assert _theft_history(door, theft_id) == [(None, "active", None, "", clock.now())]
    with pytest.raises(NotFoundError), door.write(actor) as ctx:
        services.recover_livestock(ctx, 404)


def test_theft_entered_in_error_is_cancelled_with_reason(
    door: Door, clock: FixedClock, actors: dict[str, int]
) -> None:
    registrar = _user(door, actors["registrar"])
    reported = clock.now()
    with door.write(registrar) as ctx:
        theft = services.report_livestock_theft(
            ctx,
            LivestockTheftIn(
                number="ABG-1", agency="CICPC", species="bovine", head_count=3, brand="HLC"
            ),
        )
        tid = theft.id
    with pytest.raises(ValidationError) as exc, door.write(registrar) as ctx:
        services.cancel_livestock_theft(ctx, tid, " ")
    assert exc.value.field == "reason"
    cancelled = clock.advance(HOUR)
    with door.write(registrar) as ctx:
        assert services.cancel_livestock_theft(ctx, tid, "duplicate of ABG-0").status == (
            "cancelled"
        )
    with pytest.raises(TransitionError) as illegal, door.write(registrar) as ctx:
        services.recover_livestock(ctx, tid)
    assert illegal.value.code == "illegal_transition"
    assert _theft_history(door, tid) == [
        (None, "active", registrar.id, "", reported),
        ("active", "cancelled", registrar.id, "duplicate of ABG-0", cancelled),
    ]
    assert _changes(door, "livestock_theft", tid) == [reported, cancelled]
