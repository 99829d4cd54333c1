"""Use cases of premises, brands, transit permits and livestock thefts, on SQLite and PostgreSQL.

Every lifecycle rule is checked together with what it leaves behind: the record's status and
version, one history row per transition (from, to, actor, reason) and one row on the change
sequence; and a refused move leaves all three untouched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from alcabala.accounts.models import User
from alcabala.accounts.services import add_agency, add_user
from alcabala.db.base import utcnow
from alcabala.db.engine import read_session, unit_of_work
from alcabala.db.history import Change
from alcabala.errors import ConflictError, NotFoundError, TransitionError, ValidationError
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


# Local helpers ---------------------------------------------------------------------------------


def _actor(engine: Engine) -> User:
    """A livestock agency (INSAI) and one of its users; the user is usable after commit."""
    with unit_of_work(engine) as session:
        add_agency(session, "INSAI", "Instituto de Salud Agrícola Integral", kind="livestock")
        user, _token = add_user(session, "ganadero", "livestock", "INSAI")
    return user


def _premises(engine: Engine, *codes: str) -> None:
    with unit_of_work(engine) as session:
        for code in codes:
            services.register_premises(session, PremisesIn(code=code, name=f"Hato {code}"))


def _brand(engine: Engine, mark: str, premises: str) -> None:
    with unit_of_work(engine) as session:
        services.register_brand(session, BrandIn(mark=mark, premises=premises))


def _permit_in(**overrides: Any) -> PermitIn:
    now = utcnow()
    data: dict[str, Any] = {
        "number": "G-0001",
        "issuer": "INSAI",
        "origin_premises": "HATO-1",
        "destination_premises": "HATO-2",
        "vehicle_plate": "AB123CD",
        "plate_country": "VE",
        "valid_from": now - dt.timedelta(hours=1),
        "valid_to": now + dt.timedelta(days=2),
        "lines": [
            {"species": "bovine", "category": "novillos", "head_count": 10, "brand": "LP"},
            {"species": "bovine", "category": "vacas", "head_count": 2},
        ],
        "ear_tags": [TAG_1, TAG_2],
    }
    return PermitIn.model_validate(data | overrides)


def _setup(engine: Engine) -> User:
    """An actor, premises HATO-1 (brand LP) and HATO-2 (brand ZZ)."""
    actor = _actor(engine)
    _premises(engine, "HATO-1", "HATO-2")
    _brand(engine, "LP", "HATO-1")
    _brand(engine, "ZZ", "HATO-2")
    return actor


def _issue(engine: Engine, actor: User | None, **overrides: Any) -> int:
    now = overrides.pop("now", None)
    with unit_of_work(engine) as session:
        return services.issue_permit(session, _permit_in(**overrides), actor, now=now).id


def _permit_state(engine: Engine, permit_id: int) -> tuple[str, int]:
    with read_session(engine) as session:
        permit = session.get(Permit, permit_id)
        assert permit is not None
        return permit.status, permit.version


def _permit_history(engine: Engine, permit_id: int) -> list[tuple[str | None, str, Any, str]]:
    with read_session(engine) as session:
        rows = session.scalars(
            select(PermitTransition)
            .where(PermitTransition.permit_id == permit_id)
            .order_by(PermitTransition.id)
        )
        return [(r.from_state, r.to_state, r.actor_id, r.reason) for r in rows]


def _theft_history(engine: Engine, theft_id: int) -> list[tuple[str | None, str, Any, str]]:
    with read_session(engine) as session:
        rows = session.scalars(
            select(LivestockTheftTransition)
            .where(LivestockTheftTransition.theft_id == theft_id)
            .order_by(LivestockTheftTransition.id)
        )
        return [(r.from_state, r.to_state, r.actor_id, r.reason) for r in rows]


def _changes(engine: Engine, entity: str, entity_id: int | None = None) -> int:
    query = select(func.count()).select_from(Change).where(Change.entity == entity)
    if entity_id is not None:
        query = query.where(Change.entity_id == entity_id)
    with read_session(engine) as session:
        return session.scalar(query) or 0


def _count(engine: Engine, model: type[Any]) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# Premises and brands ---------------------------------------------------------------------------


def test_register_premises_with_owner_and_brand(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        premises = services.register_premises(
            session,
            PremisesIn(
                code="hato-9",
                name="Hato La Trinidad",
                owner_national_id="V-12.345.678",
                state="Apure",
                lat=7.9,
                lon=-67.5,
            ),
        )
        brand = services.register_brand(
            session, BrandIn(mark="lt", premises="HATO-9", registered_at=dt.date(2001, 5, 1))
        )
    with read_session(engine) as session:
        stored = services.get_premises(session, "hato-9")
        assert stored.id == premises.id and stored.code == "HATO-9"
        assert stored.owner is not None and stored.owner.national_id == "V12345678"
        found = services.find_brand(session, "LT")
        assert found is not None and found.id == brand.id and found.premises.code == "HATO-9"
        assert session.scalar(select(func.count()).select_from(Person)) == 1
    assert _changes(engine, "premises", premises.id) == 1
    assert _changes(engine, "brand", brand.id) == 1


def test_premises_and_brands_are_unique_and_brands_need_premises(engine: Engine) -> None:
    _premises(engine, "HATO-1")
    _brand(engine, "LP", "HATO-1")
    with pytest.raises(ConflictError) as exc, unit_of_work(engine) as session:
        services.register_premises(session, PremisesIn(code="HATO-1", name="Otro"))
    assert exc.value.field == "code"
    with pytest.raises(ConflictError) as exc, unit_of_work(engine) as session:
        services.register_brand(session, BrandIn(mark="LP", premises="HATO-1"))
    assert exc.value.field == "mark"
    with pytest.raises(NotFoundError) as not_found, unit_of_work(engine) as session:
        services.register_brand(session, BrandIn(mark="QQ", premises="NOWHERE"))
    assert not_found.value.field == "premises"
    with read_session(engine) as session:
        assert services.find_brand(session, "QQ") is None


# Issuing ---------------------------------------------------------------------------------------


def test_issue_permit_stores_lines_tags_and_first_history_row(engine: Engine) -> None:
    actor = _setup(engine)
    permit_id = _issue(engine, actor, vehicle_plate="ab-123-cd")
    with read_session(engine) as session:
        permit = services.get_permit_by_number(session, "g-0001")
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
    assert _permit_history(engine, permit_id) == [(None, "issued", actor.id, "")]
    assert _changes(engine, "permit", permit_id) == 1


def test_issue_permit_refuses_duplicates_unknowns_and_past_windows(engine: Engine) -> None:
    actor = _setup(engine)
    _issue(engine, actor)
    cases: list[tuple[type[Exception], str, dict[str, Any]]] = [
        (ConflictError, "number", {}),
        (NotFoundError, "issuer", {"number": "G-2", "issuer": "NOBODY"}),
        (NotFoundError, "origin_premises", {"number": "G-2", "origin_premises": "X-1"}),
        (NotFoundError, "destination_premises", {"number": "G-2", "destination_premises": "X"}),
    ]
    for error, field, overrides in cases:
        with pytest.raises(error) as exc:
            _issue(engine, actor, **overrides)
        assert getattr(exc.value, "field", None) == field
    with pytest.raises(ValidationError) as invalid:
        _issue(engine, actor, number="G-2", now=utcnow() + dt.timedelta(days=3))
    assert invalid.value.field == "valid_to"
    assert _count(engine, Permit) == 1
    assert _changes(engine, "permit") == 1


def test_brand_must_be_registered_to_the_origin_premises(engine: Engine) -> None:
    actor = _setup(engine)
    lines = [
        {"species": "bovine", "head_count": 3, "brand": "LP"},
        {"species": "bovine", "head_count": 3, "brand": "ZZ"},  # belongs to the destination
    ]
    with pytest.raises(ValidationError) as exc:
        _issue(engine, actor, lines=lines)
    assert exc.value.field == "lines.1.brand"
    assert "HATO-2" in exc.value.message and "HATO-1" in exc.value.message

    with pytest.raises(ValidationError) as unknown:
        _issue(engine, actor, lines=[{"species": "equine", "head_count": 2, "brand": "NOPE"}])
    assert unknown.value.field == "lines.0.brand"
    assert "not registered" in unknown.value.message

    assert _count(engine, Permit) == 0
    assert _count(engine, PermitTransition) == 0
    assert _changes(engine, "permit") == 0


# Using, cancelling, expiring -------------------------------------------------------------------


def test_issue_then_use(engine: Engine) -> None:
    actor = _setup(engine)
    permit_id = _issue(engine, actor)
    with unit_of_work(engine) as session:
        permit = services.use_permit(
            session, permit_id, actor, reason="arrived at HATO-2", expected_version=1
        )
        assert permit.status == "used"
    assert _permit_state(engine, permit_id) == ("used", 2)
    assert _permit_history(engine, permit_id) == [
        (None, "issued", actor.id, ""),
        ("issued", "used", actor.id, "arrived at HATO-2"),
    ]
    assert _changes(engine, "permit", permit_id) == 2


def test_using_twice_is_refused_and_changes_nothing(engine: Engine) -> None:
    actor = _setup(engine)
    permit_id = _issue(engine, actor)
    with unit_of_work(engine) as session:
        services.use_permit(session, permit_id, actor)
    with pytest.raises(TransitionError) as exc, unit_of_work(engine) as session:
        services.use_permit(session, permit_id, actor)
    assert exc.value.field == "status"
    assert "is used; it cannot become used" in exc.value.message
    assert _permit_state(engine, permit_id) == ("used", 2)
    assert [row[:2] for row in _permit_history(engine, permit_id)] == [
        (None, "issued"),
        ("issued", "used"),
    ]
    assert _changes(engine, "permit", permit_id) == 2


def test_a_stale_version_is_a_conflict(engine: Engine) -> None:
    actor = _setup(engine)
    permit_id = _issue(engine, actor)
    with pytest.raises(ConflictError) as exc, unit_of_work(engine) as session:
        services.use_permit(session, permit_id, actor, expected_version=7)
    assert exc.value.field == "version"
    assert _permit_state(engine, permit_id) == ("issued", 1)
    assert len(_permit_history(engine, permit_id)) == 1


def test_cancel_needs_a_reason(engine: Engine) -> None:
    actor = _setup(engine)
    permit_id = _issue(engine, actor)
    with pytest.raises(ValidationError) as exc, unit_of_work(engine) as session:
        services.cancel_permit(session, permit_id, actor, reason="   ")
    assert exc.value.field == "reason"
    assert _permit_state(engine, permit_id) == ("issued", 1)
    assert len(_permit_history(engine, permit_id)) == 1
    assert _changes(engine, "permit", permit_id) == 1

    with unit_of_work(engine) as session:
        services.cancel_permit(session, permit_id, actor, reason="  issued in error  ")
    assert _permit_state(engine, permit_id) == ("cancelled", 2)
    assert _permit_history(engine, permit_id)[-1] == (
        "issued",
        "cancelled",
        actor.id,
        "issued in error",
    )
    assert _changes(engine, "permit", permit_id) == 2


@pytest.mark.parametrize(
    ("first", "then"),
    [("use", "cancel"), ("cancel", "use"), ("cancel", "cancel"), ("use", "use")],
)
def test_final_states_refuse_every_move(engine: Engine, first: str, then: str) -> None:
    actor = _setup(engine)
    permit_id = _issue(engine, actor)

    def move(session: Any, action: str) -> None:
        if action == "use":
            services.use_permit(session, permit_id, actor)
        else:
            services.cancel_permit(session, permit_id, actor, reason="withdrawn")

    with unit_of_work(engine) as session:
        move(session, first)
    before = (_permit_state(engine, permit_id), _permit_history(engine, permit_id))
    with pytest.raises(TransitionError), unit_of_work(engine) as session:
        move(session, then)
    assert (_permit_state(engine, permit_id), _permit_history(engine, permit_id)) == before
    assert _changes(engine, "permit", permit_id) == 2


def test_a_refused_move_rolls_back_the_whole_unit_of_work(engine: Engine) -> None:
    actor = _setup(engine)
    used = _issue(engine, actor)
    fresh = _issue(engine, actor, number="G-0002")
    with unit_of_work(engine) as session:
        services.use_permit(session, used, actor)
    with pytest.raises(TransitionError), unit_of_work(engine) as session:
        services.use_permit(session, fresh, actor)  # fine on its own...
        services.use_permit(session, used, actor)  # ...but this one is refused
    assert _permit_state(engine, fresh) == ("issued", 1)
    assert len(_permit_history(engine, fresh)) == 1
    assert _changes(engine, "permit", fresh) == 1


def test_a_permit_cannot_be_used_before_valid_from(engine: Engine) -> None:
    actor = _setup(engine)
    start = utcnow() + dt.timedelta(days=1)
    permit_id = _issue(engine, actor, valid_from=start, valid_to=start + dt.timedelta(days=1))
    with pytest.raises(TransitionError) as exc, unit_of_work(engine) as session:
        services.use_permit(session, permit_id, actor)
    assert exc.value.field == "valid_from"
    assert "cannot be used before" in exc.value.message
    assert f"{start:%Y-%m-%d %H:%M}" in exc.value.message
    assert _permit_state(engine, permit_id) == ("issued", 1)
    assert len(_permit_history(engine, permit_id)) == 1
    # Once the window opens (an offline check made then), it can be used.
    with unit_of_work(engine) as session:
        services.use_permit(session, permit_id, actor, now=start + dt.timedelta(minutes=5))
    assert _permit_state(engine, permit_id) == ("used", 2)


def test_expiry_is_effective_before_the_sweeper_runs(engine: Engine) -> None:
    actor = _setup(engine)
    now = utcnow()
    permit_id = _issue(engine, actor, valid_to=now + dt.timedelta(hours=1))
    later = now + dt.timedelta(hours=2)
    with read_session(engine) as session:
        permit = services.get_permit(session, permit_id)
        assert permit.effective_status(now) == "issued"
        assert permit.effective_status(permit.valid_to) == "expired"
        assert permit.effective_status(later) == "expired"
    with pytest.raises(TransitionError) as exc, unit_of_work(engine) as session:
        services.use_permit(session, permit_id, actor, now=later)
    assert "is expired; it cannot become used" in exc.value.message
    assert _permit_state(engine, permit_id) == ("issued", 1)
    assert len(_permit_history(engine, permit_id)) == 1


def test_an_effectively_expired_permit_cannot_be_cancelled(engine: Engine) -> None:
    actor = _setup(engine)
    past = utcnow() - dt.timedelta(days=3)
    permit_id = _issue(
        engine,
        actor,
        valid_from=past,
        valid_to=past + dt.timedelta(days=1),
        now=past,  # issued back then, expired since
    )
    with pytest.raises(TransitionError), unit_of_work(engine) as session:
        services.cancel_permit(session, permit_id, actor, reason="too late")
    assert _permit_state(engine, permit_id) == ("issued", 1)


def test_the_sweeper_records_expiry_with_no_actor(engine: Engine) -> None:
    actor = _setup(engine)
    now = utcnow()
    due = _issue(engine, actor, valid_to=now + dt.timedelta(hours=1))
    not_due = _issue(engine, actor, number="G-0002", valid_to=now + dt.timedelta(days=3))
    used = _issue(engine, actor, number="G-0003", valid_to=now + dt.timedelta(hours=1))
    with unit_of_work(engine) as session:
        services.use_permit(session, used, actor)
    later = now + dt.timedelta(hours=2)
    with unit_of_work(engine) as session:
        assert services.expire_permits(session, later) == 1
    assert _permit_state(engine, due) == ("expired", 2)
    assert _permit_history(engine, due)[-1] == (
        "issued",
        "expired",
        None,
        "expired automatically at valid_to",
    )
    assert _changes(engine, "permit", due) == 2
    assert _permit_state(engine, not_due) == ("issued", 1)
    assert _permit_state(engine, used) == ("used", 2)
    # Idempotent: a second sweep finds nothing, and an expired permit cannot be used.
    with unit_of_work(engine) as session:
        assert services.expire_permits(session, later) == 0
    with pytest.raises(TransitionError), unit_of_work(engine) as session:
        services.use_permit(session, due, actor)
    assert len(_permit_history(engine, due)) == 2


def test_unknown_permits_are_not_found(engine: Engine) -> None:
    with read_session(engine) as session:
        with pytest.raises(NotFoundError) as exc:
            services.get_permit(session, 404)
        assert exc.value.field == "id"
        with pytest.raises(NotFoundError) as by_number:
            services.get_permit_by_number(session, "G-404")
        assert by_number.value.field == "number"


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


def test_theft_report_needs_a_brand_or_an_ear_tag(engine: Engine) -> None:
    actor = _setup(engine)
    with pytest.raises(ValidationError) as exc, unit_of_work(engine) as session:
        services.report_livestock_theft(session, _theft_in(brand=None, ear_tags=[]), actor)
    assert exc.value.field == "brand"
    assert _count(engine, LivestockTheft) == 0
    assert _changes(engine, "livestock_theft") == 0
    with unit_of_work(engine) as session:
        by_tags = services.report_livestock_theft(session, _theft_in(brand=None), actor)
        by_brand = services.report_livestock_theft(
            session, _theft_in(number="R-0002", ear_tags=[], premises=None), actor
        )
    assert by_tags.status == by_brand.status == "active"
    assert by_brand.premises_id is None


def test_theft_report_refuses_duplicates_and_unknowns(engine: Engine) -> None:
    actor = _setup(engine)
    with unit_of_work(engine) as session:
        services.report_livestock_theft(session, _theft_in(), actor)
    cases: list[tuple[type[Exception], str, dict[str, Any]]] = [
        (ConflictError, "number", {}),
        (NotFoundError, "agency", {"number": "R-2", "agency": "NOBODY"}),
        (NotFoundError, "premises", {"number": "R-2", "premises": "NOWHERE"}),
    ]
    for error, field, overrides in cases:
        with pytest.raises(error) as exc, unit_of_work(engine) as session:
            services.report_livestock_theft(session, _theft_in(**overrides), actor)
        assert getattr(exc.value, "field", None) == field
    assert _count(engine, LivestockTheft) == 1


def test_report_then_recover_once_only(engine: Engine) -> None:
    actor = _setup(engine)
    with unit_of_work(engine) as session:
        theft_id = services.report_livestock_theft(
            session, _theft_in(ear_tags=[TAG_1, TAG_2]), actor
        ).id
    with read_session(engine) as session:
        out = LivestockTheftOut.model_validate(services.get_livestock_theft(session, theft_id))
    assert (out.status, out.version, out.agency, out.premises) == ("active", 1, "INSAI", "HATO-1")
    assert out.ear_tags == [TAG_1, TAG_2] and out.brand == "LP"
    assert out.reported_at.tzinfo is not None
    assert _theft_history(engine, theft_id) == [(None, "active", actor.id, "")]
    assert _changes(engine, "livestock_theft", theft_id) == 1

    with unit_of_work(engine) as session:
        theft = services.recover_livestock(
            session, theft_id, actor, reason="found at Mantecal", expected_version=1
        )
        assert theft.status == "recovered"
    with pytest.raises(TransitionError) as exc, unit_of_work(engine) as session:
        services.recover_livestock(session, theft_id, actor)
    assert "is recovered; it cannot become recovered" in exc.value.message

    with read_session(engine) as session:
        stored = services.get_livestock_theft(session, theft_id)
        assert (stored.status, stored.version) == ("recovered", 2)
    assert _theft_history(engine, theft_id) == [
        (None, "active", actor.id, ""),
        ("active", "recovered", actor.id, "found at Mantecal"),
    ]
    assert _changes(engine, "livestock_theft", theft_id) == 2


def test_recover_with_a_stale_version_is_a_conflict(engine: Engine) -> None:
    actor = _setup(engine)
    with unit_of_work(engine) as session:
        theft_id = services.report_livestock_theft(session, _theft_in(), None).id
    with pytest.raises(ConflictError), unit_of_work(engine) as session:
        services.recover_livestock(session, theft_id, actor, expected_version=2)
    assert _theft_history(engine, theft_id) == [(None, "active", None, "")]
    with pytest.raises(NotFoundError), unit_of_work(engine) as session:
        services.recover_livestock(session, 404, actor)


def test_theft_entered_in_error_is_cancelled_with_reason(
    engine: Engine, actors: dict[str, int]
) -> None:
    from alcabala.livestock.schemas import LivestockTheftIn
    from alcabala.livestock.services import (
        cancel_livestock_theft,
        recover_livestock,
        report_livestock_theft,
    )

    with unit_of_work(engine) as s:
        theft = report_livestock_theft(
            s,
            LivestockTheftIn(
                number="ABG-1", agency="CICPC", species="bovine", head_count=3, brand="HLC"
            ),
            None,
        )
        tid = theft.id
    with pytest.raises(ValidationError), unit_of_work(engine) as s:
        cancel_livestock_theft(s, tid, None, " ")
    with unit_of_work(engine) as s:
        assert cancel_livestock_theft(s, tid, None, "duplicate of ABG-0").status == "cancelled"
    with pytest.raises(TransitionError), unit_of_work(engine) as s:
        recover_livestock(s, tid, None)
