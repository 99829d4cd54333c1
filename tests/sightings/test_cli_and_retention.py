"""``alcabala sightings import`` / ``detect`` / ``purge``, and retention, on SQLite and
PostgreSQL: a CSV of reads is stored all or nothing (a bad row names its line), the
detector raises the alert they call for, and the purge deletes camera sightings past the
retention while the alert keeps its own copy of each sighting that fed it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from alcabala.cli.main import app as cli
from alcabala.context import SYSTEM
from alcabala.db.engine import read_session
from alcabala.sightings.alerts import read
from alcabala.sightings.detector import Detector
from alcabala.sightings.ingest import ingest, purge
from alcabala.sightings.models import Alert, Sighting
from alcabala.sightings.schemas import ReadIn

from .test_alerts import _far_checkpoint

runner = CliRunner()


def _count(engine: Engine, model: Any) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_import_a_csv_all_or_nothing_then_detect(
    api: Any, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _far_checkpoint(api)
    env = {"ALCABALA_DATABASE_URL": db_url, "ALCABALA_DATA_DIR": str(tmp_path)}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = [
        f"AB123CD,GUA-ALDAO,,,{(now - dt.timedelta(minutes=30)).isoformat()},GUA-01",
        f"ab-123-cd,TAC-SANANTONIO,,,{(now - dt.timedelta(minutes=20)).isoformat()},TAC-01",
        f"XY987ZW,,8.5,-67.2,{(now - dt.timedelta(minutes=10)).isoformat()},MOVIL-7",
    ]
    good = tmp_path / "reads.csv"
    good.write_text("plate,checkpoint,lat,lon,at,camera\n" + "\n".join(rows) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("plate,checkpoint,lat,lon,at,camera\n" + rows[0] + "\nZZ1,NOPE,,,2026,X\n")
    result = runner.invoke(cli, ["sightings", "import", str(bad)], env=env)
    assert result.exit_code == 1 and "line 3" in result.output, result.output
    assert _count(engine, Sighting) == 0
    result = runner.invoke(cli, ["sightings", "import", str(good)], env=env)
    assert result.exit_code == 0 and "stored 3 reads (0 already stored)" in result.output
    result = runner.invoke(cli, ["sightings", "import", str(good)], env=env)
    assert "stored 0 reads (3 already stored)" in result.output
    result = runner.invoke(cli, ["sightings", "detect"], env=env)
    assert result.exit_code == 0 and "judged 3 sightings; 1 alerts in all" in result.output
    with read_session(engine) as s:
        (alert,) = s.scalars(select(Alert)).all()
        assert (alert.kind, alert.subject) == ("impossible_travel", "AB123CD")


def test_the_purge_keeps_what_fed_an_alert(api: Any, engine: Engine) -> None:
    _far_checkpoint(api)
    door, clock = api.app.state.door, api.clock
    start = clock.now()
    reads = [
        ReadIn(plate="AB123CD", checkpoint="GUA-ALDAO", camera="GUA-01", at=start),
        ReadIn(
            plate="AB123CD",
            checkpoint="TAC-SANANTONIO",
            camera="TAC-01",
            at=start + dt.timedelta(minutes=10),
        ),
        ReadIn(plate="XY987ZW", checkpoint="GUA-ALDAO", camera="GUA-01", at=start),
    ]
    clock.advance(dt.timedelta(minutes=11))
    with door.write(SYSTEM) as ctx:
        assert ingest(ctx, reads) == (3, 0)
    Detector(door).run_once()
    clock.advance(dt.timedelta(days=91))
    with door.write(SYSTEM) as ctx:
        recent = ReadIn(plate="MN456PQ", checkpoint="GUA-ALDAO", at=clock.now())
        ingest(ctx, [recent])
        assert purge(ctx) == 3
    assert _count(engine, Sighting) == 1
    with door.lookup(SYSTEM) as ctx:
        alert_id = ctx.session.scalar(select(Alert.id))
        assert alert_id is not None
        _, seen = read(ctx, alert_id)
        assert [(o.source, o.plate) for o in seen] == [("camera", "AB123CD")] * 2
