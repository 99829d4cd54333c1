"""alcabala: the information system behind a network of road checkpoints."""

from __future__ import annotations

__version__ = "0.1.0"
