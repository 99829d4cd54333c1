"""Layers point one way: ``identifiers`` ← ``db`` ← domains ← ``checks`` ← ``api``/``web``/``cli``.

Every ``import`` in the package (module level or inside a function) is read with ``ast``,
so a lazy import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "alcabala"
INTERFACES = {"api", "web", "cli"}
# Shared kernel modules at the top of the package: below every domain.
# The ledger is kernel too: every change is logged from ``db`` (``record_change``).
KERNEL = {
    "errors",
    "clock",
    "config",
    "context",
    "rules",
    "schemas",
    "identifiers",
    "db",
    "ledger",
}
DOMAINS = {
    p.name
    for p in SRC.iterdir()
    if p.is_dir() and (p / "__init__.py").exists() and p.name not in INTERFACES | KERNEL
}


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level alcabala package) of every alcabala import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "alcabala":
                names = [f"alcabala.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "alcabala" and len(parts) > 1:
                yield node.lineno, parts[1]


def package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def modules(packages: set[str]) -> list[Path]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        if package_of(path) in packages:
            found.append(path)
    return found


def test_the_layers_are_known() -> None:
    """A new top-level package must be placed in a layer here (this test names them all)."""
    assert {"vehicles", "persons", "livestock", "checks", "accounts"} <= DOMAINS
    assert not (DOMAINS & INTERFACES)


@pytest.mark.parametrize("path", modules(DOMAINS | KERNEL), ids=lambda p: str(p.relative_to(SRC)))
def test_nothing_below_the_interfaces_imports_them(path: Path) -> None:
    upward = [(line, pkg) for line, pkg in imports_of(path) if pkg in INTERFACES]
    assert not upward, f"{path.relative_to(SRC)} imports interfaces: {upward}"


@pytest.mark.parametrize("path", modules({"identifiers"}), ids=lambda p: p.name)
def test_identifiers_import_nothing_else(path: Path) -> None:
    others = {pkg for _, pkg in imports_of(path)} - {"identifiers"}
    assert not others, f"identifiers/{path.name} imports {others}"


@pytest.mark.parametrize("path", modules({"db"}), ids=lambda p: p.name)
def test_db_imports_no_domain(path: Path) -> None:
    others = {pkg for _, pkg in imports_of(path)} & (DOMAINS | {"context"})
    if path.name in {"models.py"}:  # the registry of every table, for Alembic
        return
    assert not others, f"db/{path.name} imports {others}"


def test_api_only_assembles() -> None:
    """``api/`` holds the app factory, the router list and the error handlers: no use case."""
    assert {p.name for p in (SRC / "api").glob("*.py")} <= {
        "__init__.py",
        "app.py",
        "errors.py",
        "routers.py",
    }


def test_the_walker_sees_lazy_imports(tmp_path: Path) -> None:
    """The check is real: a lazy upward import inside a function is found."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from alcabala.api.app import create_app\n")
    assert list(imports_of(sample)) == [(2, "api")]
