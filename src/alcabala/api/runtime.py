"""What one API process holds in memory: the database engine, the hotlist, the recorder."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from alcabala.api.deps import TokenCache
from alcabala.api.ratelimit import RateLimiter
from alcabala.config import Settings


@dataclass
class Runtime:
    engine: Engine
    settings: Settings
    tokens: TokenCache = field(default_factory=TokenCache)
    public_limit: RateLimiter = field(default_factory=RateLimiter)
