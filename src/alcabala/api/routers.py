"""Every domain router the API serves, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from alcabala.vehicles.routes import router as vehicles

ROUTERS: tuple[APIRouter, ...] = (vehicles,)
