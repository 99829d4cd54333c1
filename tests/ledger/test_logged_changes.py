"""Every change, check and lookup of a seeded demo is in the log, and the log names nobody.

A demo is seeded through the real paths (imports, users, stops), then a stolen-vehicle
report is recovered and a person looked up through the services. The integrator numbers
everything; then, on SQLite and PostgreSQL:

- each stored check has exactly one entry (``check``), each record one entry per change
  (its creation and each transition), each audit row one entry;
- no entry holds any identifier stored in the database (plates, VINs, engine numbers,
  national IDs, names, usernames, audit subjects): only its type, agency, time and a
  64-hex commitment;
- ``alcabala log verify`` passes, and then catches one changed entry byte, one changed tile
  byte and one record updated with plain SQL, each on its own line.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text, update
from typer.testing import CliRunner

from alcabala.accounts.models import AuditEntry, User
from alcabala.checks.logged import stored_check
from alcabala.checks.models import Check
from alcabala.cli.main import app
from alcabala.clock import FixedClock
from alcabala.config import Settings
from alcabala.context import SYSTEM, Door
from alcabala.db.engine import read_session, unit_of_work
from alcabala.demo.seed import seed
from alcabala.ledger.entries import commits_to, parse_entry
from alcabala.ledger.integrator import integrate
from alcabala.ledger.keystore import key_path, write_signer
from alcabala.ledger.models import LogEntry, LogTile
from alcabala.livestock.models import Brand, Premises
from alcabala.persons.lookups import person_file
from alcabala.persons.models import Person, Warrant
from alcabala.vehicles.models import StolenReport, Vehicle
from alcabala.vehicles.services import recover

from .test_integrator import ORIGIN, SIGNER

runner = CliRunner()


@pytest.fixture
def demo(door: Door, engine: Engine, clock: FixedClock) -> Engine:
    seed(door, vehicles=60, seed=5, stops=40)
    with door.write(SYSTEM) as ctx:
        report = ctx.session.scalars(
            select(StolenReport).where(StolenReport.status == "active").order_by(StolenReport.id)
        ).first()
        assert report is not None
        recover(ctx, report.id, "found at a checkpoint", report.version)
        person = ctx.session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        person_file(ctx, person.national_id, person.country, "case 12/2026")
    while integrate(engine, SIGNER, ORIGIN, clock) is not None:
        pass
    return engine


def test_every_check_record_and_lookup_has_its_entries(demo: Engine) -> None:
    with read_session(demo) as s:
        assert s.scalar(select(func.count()).where(LogEntry.idx.is_(None))) == 0
        refs = Counter(s.execute(select(LogEntry.ref_kind, LogEntry.ref_id)).tuples())
        checks = set(s.scalars(select(Check.check_id)))
        assert {ref for (kind, ref) in refs if kind == "check"} == checks
        assert all(refs["check", c] == 1 for c in checks)
        for model in (Vehicle, Person, Warrant, StolenReport, Premises, Brand, User):
            ids = {str(i) for i in s.scalars(select(model.id))}
            logged = {ref for (kind, ref) in refs if kind == model.__tablename__}
            assert ids and logged == ids, model.__tablename__
        audits = {
            str(i) for i in s.scalars(select(AuditEntry.id).where(AuditEntry.check_id.is_(None)))
        }
        assert {ref for (kind, ref) in refs if kind == "audit_entries"} == audits
        recovered = s.scalars(
            select(StolenReport.id).where(StolenReport.status == "recovered")
        ).all()
        types = Counter(parse_entry(e).type for e in s.scalars(select(LogEntry.entry)))
        assert types["stolen_report.recovered"] >= 1 and recovered
        assert types["audit.search"] == 1 and types["check"] == len(checks)
        # A check's entry commits to its receipt record, as rebuilt from the stored rows.
        for entry, salt, check_id in s.execute(
            select(LogEntry.entry, LogEntry.salt, LogEntry.ref_id).where(
                LogEntry.ref_kind == "check"
            )
        ):
            record = stored_check(s, check_id)
            assert record is not None and commits_to(parse_entry(entry), salt, record)


def test_no_entry_names_anyone(demo: Engine) -> None:
    with read_session(demo) as s:
        identifiers: set[str] = set()
        for column in (
            Vehicle.vin,
            Vehicle.plate,
            Vehicle.engine_number,
            Person.national_id,
            Person.given_names,
            Person.surnames,
            User.username,
            Check.plate,
            Check.vin,
            Check.receipt,
            Check.check_id,
            AuditEntry.subject,
            Premises.code,
            Premises.name,
            Brand.mark,
            Warrant.number,
            StolenReport.number,
        ):
            identifiers |= {v for v in s.scalars(select(column)) if v and len(v) >= 3}
        entries = list(s.scalars(select(LogEntry.entry)))
    assert len(identifiers) > 300 and len(entries) > 300
    for raw in entries:
        entry = parse_entry(raw)  # exactly type, agency, time and a 64-hex commitment
        assert re.fullmatch(r"[0-9a-f]{64}", entry.commitment)
        visible = raw.decode().replace(entry.commitment, "")
        words = set(re.findall(r"[A-Za-z0-9-]+", visible))
        assert len(raw) < 200
        assert not (words & identifiers), (raw, words & identifiers)
        for value in identifiers:
            assert value not in visible, (value, raw)


def run_verify(db_url: str, data_dir: Path) -> tuple[int, list[str]]:
    env = {
        "ALCABALA_DATABASE_URL": db_url,
        "ALCABALA_LOG_ORIGIN": ORIGIN,
        "ALCABALA_DATA_DIR": str(data_dir),
    }
    result = runner.invoke(app, ["log", "verify"], env=env)
    return result.exit_code, result.stdout.splitlines()


def test_log_verify_catches_an_entry_byte_a_tile_byte_and_a_record_edited_with_sql(
    demo: Engine, db_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "cli"
    write_signer(key_path(Settings(data_dir=data_dir, log_origin=ORIGIN)), SIGNER)
    code, out = run_verify(db_url, data_dir)
    assert code == 0 and out[-1].startswith("the log verifies: "), out

    with read_session(demo) as s:
        idx, entry = s.execute(select(LogEntry.idx, LogEntry.entry).where(LogEntry.idx == 7)).one()
        hashes = s.scalar(select(LogTile.hashes).where(LogTile.level == 0, LogTile.idx == 0))
        vehicle = s.scalars(select(Vehicle).order_by(Vehicle.id)).first()
        assert hashes is not None and vehicle is not None
    changed = entry.replace(b'"time":"', b'"time":"1', 1)[: len(entry)]
    with unit_of_work(demo) as s:
        s.execute(update(LogEntry).where(LogEntry.idx == idx).values(entry=changed))
    code, out = run_verify(db_url, data_dir)
    assert code == 1 and any(line.startswith(f"entry {idx}: ") for line in out), out
    with unit_of_work(demo) as s:
        s.execute(update(LogEntry).where(LogEntry.idx == idx).values(entry=entry))

    flipped = hashes[:40] + bytes([hashes[40] ^ 1]) + hashes[41:]
    first_tile = update(LogTile).where(LogTile.level == 0, LogTile.idx == 0)
    with unit_of_work(demo) as s:
        s.execute(first_tile.values(hashes=flipped))
    code, out = run_verify(db_url, data_dir)
    assert code == 1 and any(line.startswith("tile 0/000 hash 1: was changed") for line in out)
    with unit_of_work(demo) as s:
        s.execute(first_tile.values(hashes=hashes))
    assert run_verify(db_url, data_dir)[0] == 0

    # A record edited behind the services' back: the row no longer matches its entry.
    with unit_of_work(demo) as s:
        s.execute(text("UPDATE vehicles SET colour = 'FUCSIA' WHERE id = :id"), {"id": vehicle.id})
    code, out = run_verify(db_url, data_dir)
    assert code == 1
    assert any(
        line.startswith(f"record vehicles {vehicle.id}: was changed after entry ") for line in out
    ), out
    # ... and so does a check's stored verdict.
    with unit_of_work(demo) as s:
        s.execute(text("UPDATE checks SET verdict = 'clear' WHERE verdict = 'hit'"))
    code, out = run_verify(db_url, data_dir)
    assert code == 1 and any(line.startswith("record check ") for line in out)


def test_a_change_rolled_back_leaves_no_entry(door: Door, engine: Engine) -> None:
    from alcabala.vehicles.schemas import VehicleIn
    from alcabala.vehicles.services import register_vehicle

    before = _count(engine)
    with pytest.raises(RuntimeError), door.write(SYSTEM) as ctx:
        register_vehicle(ctx, VehicleIn(vin="1HGCM82633A004352", plate="AB123CD"))
        raise RuntimeError("rolled back")
    assert _count(engine) == before
    with door.write(SYSTEM) as ctx:
        register_vehicle(ctx, VehicleIn(vin="1HGCM82633A004352", plate="AB123CD"))
    assert _count(engine) == before + 1


def _count(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(LogEntry)) or 0
