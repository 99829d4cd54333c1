"""The web console and the public pages: server-rendered Jinja2 + htmx over the same services
as the API (see :mod:`alcabala.web.app`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from alcabala.checks.runtime import Runtime


def install(app: FastAPI, runtime: Runtime) -> None:
    """Mount the console and the public pages on the API application ``app``."""
    from alcabala.web.app import install as _install

    _install(app, runtime)
