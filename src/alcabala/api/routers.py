"""Every domain router the API serves, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from alcabala.accounts.routes import router as audit
from alcabala.certificates.routes import router as certificates
from alcabala.checkpoints.routes import router as checkpoints
from alcabala.checks.routes import public as public_receipts
from alcabala.checks.routes import router as checks
from alcabala.complaints.routes import router as complaints
from alcabala.custody.routes import router as custody
from alcabala.ledger.routes import router as log
from alcabala.livestock.routes import router as livestock
from alcabala.persons.routes import router as persons
from alcabala.records.routes import router as records
from alcabala.sightings.routes import router as sightings
from alcabala.vehicles.routes import public as public_vehicles
from alcabala.vehicles.routes import router as vehicles

ROUTERS: tuple[APIRouter, ...] = (
    checks,
    vehicles,
    persons,
    livestock,
    records,
    checkpoints,
    audit,
    public_vehicles,
    public_receipts,
    complaints,
    certificates,
    custody,
    sightings,
    log,
)
