"""The registry kinds that can be imported and exported, in dependency order."""

from __future__ import annotations

from alcabala.accounts.bulk import AgencyCodec
from alcabala.bulk.codec import Codec
from alcabala.checkpoints.bulk import CheckpointCodec
from alcabala.errors import ValidationError
from alcabala.livestock.bulk import (
    BrandCodec,
    LivestockTheftCodec,
    PermitCodec,
    PremisesCodec,
)
from alcabala.persons.bulk import PersonCodec, WarrantCodec
from alcabala.vehicles.bulk import RetirementCodec, StolenReportCodec, VehicleCodec

# Import in this order: each kind names records of the kinds before it.
CODECS: dict[str, type[Codec]] = {
    c.kind: c
    for c in (
        AgencyCodec,
        PersonCodec,
        CheckpointCodec,
        VehicleCodec,
        StolenReportCodec,
        RetirementCodec,
        WarrantCodec,
        PremisesCodec,
        BrandCodec,
        PermitCodec,
        LivestockTheftCodec,
    )
}
KINDS = tuple(CODECS)


def codec_for(kind: str) -> Codec:
    """A fresh codec for ``kind`` (codecs keep per-import state)."""
    try:
        return CODECS[kind]()
    except KeyError:
        raise ValidationError(
            f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.", field="kind"
        ) from None
