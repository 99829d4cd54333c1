"""Fixtures of the ledger tests: the vectors in ``vectors/`` and, when laid out, upstream's.

``vectors/*.json`` hold published constants with their sources (see ``vectors/README.md``).
The upstream test-data trees (transparency-dev/merkle ``testdata/``, tessera
``testdata/log``) are copied, unchanged, under ``vectors/upstream/`` (sources and licence in
``vectors/README.md``); ``$ALCABALA_LEDGER_VECTORS`` may point at another copy.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent / "vectors"
ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def merkle_reference() -> Any:
    return load("merkle-reference.json")


@pytest.fixture(scope="session")
def notes() -> Any:
    return load("notes.json")


@pytest.fixture(scope="session")
def upstream() -> Path:
    """The directory of upstream test data (``merkle/testdata``, ``tessera/testdata``)."""
    path = Path(os.environ.get("ALCABALA_LEDGER_VECTORS") or VECTORS / "upstream")
    assert path.is_dir(), f"the upstream vectors are missing from {path}"
    return path
