"""Camera reads in: the only code that stores a camera sighting, and the purge.

:func:`ingest` stores a batch all or nothing: every read's checkpoint must exist, its time
must not be in the future (beyond the clock skew forgiven) nor older than the retention,
and a read already stored (same camera, plate and time: a batch sent again after a lost
answer) is counted as a duplicate, not stored twice. The detector (:mod:`.detector`)
judges the new rows within a second. Camera reads are observations, not changes of a
record, and a national network makes tens of millions a day: they are not log entries;
what they raise (alerts, with a copy of each sighting) is.

:func:`purge` deletes camera sightings older than ``Settings.sighting_retention_days``;
alerts keep their own copies. Checks are stop records and receipts, and are never purged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from alcabala.checkpoints.models import Checkpoint
from alcabala.context import Ctx
from alcabala.errors import ValidationError
from alcabala.sightings.models import Sighting
from alcabala.sightings.partitions import drop_days_before, ensure_days
from alcabala.sightings.schemas import ReadIn


def ingest(ctx: Ctx, reads: Sequence[ReadIn], source: str = "camera") -> tuple[int, int]:
    """Store ``reads``; (stored, duplicates). A bad read refuses the whole batch."""
    s = ctx.session
    now = ctx.now()
    codes = {r.checkpoint for r in reads if r.checkpoint}
    query = select(Checkpoint.code, Checkpoint.id).where(Checkpoint.code.in_(codes))
    places: dict[str, int] = {code: id_ for code, id_ in s.execute(query)} if codes else {}
    oldest = now - dt.timedelta(days=ctx.settings.sighting_retention_days)
    latest = now + dt.timedelta(seconds=ctx.settings.camera_skew_seconds)
    for n, r in enumerate(reads):
        if r.checkpoint and r.checkpoint not in places:
            raise ValidationError("No checkpoint has this code.", field=f"reads.{n}.checkpoint")
        if r.at > latest:
            raise ValidationError(
                "This read is in the future: check the camera's clock.", field=f"reads.{n}.at"
            )
        if r.at < oldest:
            raise ValidationError(
                "This read is older than sightings are kept.", field=f"reads.{n}.at"
            )
    first, last = min(r.at for r in reads), max(r.at for r in reads)
    stored = {
        (c or "", p, at.replace(tzinfo=None) if at.tzinfo else at)
        for c, p, at in s.execute(
            select(Sighting.camera, Sighting.plate, Sighting.at).where(
                Sighting.at >= first,
                Sighting.at <= last,
                Sighting.plate.in_({r.plate for r in reads}),
            )
        )
    }
    rows, seen = [], set(stored)
    for r in reads:
        key = (r.camera or "", r.plate, r.at.replace(tzinfo=None))
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "at": r.at,
                "plate": r.plate,
                "plate_country": r.country,
                "vin": r.vin,
                "checkpoint_id": places.get(r.checkpoint) if r.checkpoint else None,
                "lat": r.lat,
                "lon": r.lon,
                "source": source,
                "check_id": None,
                "confidence": r.confidence,
                "camera": r.camera,
                "image_sha256": r.image_sha256,
                "make": r.make,
                "colour": r.colour,
            }
        )
    if rows:
        ensure_days(s, {r.at.astimezone(dt.UTC).date() for r in reads})
        s.execute(insert(Sighting), rows)
    return len(rows), len(reads) - len(rows)


def purge(ctx: Ctx) -> int:
    """Delete camera sightings past the retention; how many. On PostgreSQL whole days go
    by dropping their partitions; what is left (the day the cutoff falls in) row by row."""
    cutoff = ctx.now() - dt.timedelta(days=ctx.settings.sighting_retention_days)
    dropped = drop_days_before(ctx.session, cutoff)
    result = ctx.session.execute(delete(Sighting).where(Sighting.at < cutoff))
    today = ctx.now().date()
    ensure_days(ctx.session, [today + dt.timedelta(days=n) for n in range(3)])
    return dropped + int(getattr(result, "rowcount", 0) or 0)
