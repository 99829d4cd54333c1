"""Reading and writing rows as CSV (header row of field names) or JSONL (one object a line).

Values are written in one canonical form, so that export → import → export reproduces the
same bytes: timestamps ``YYYY-MM-DDTHH:MM:SSZ``, dates ``YYYY-MM-DD``, booleans
``true``/``false``, floats in Python's shortest round-trip form, nothing as an empty cell
(CSV) or ``null`` (JSONL). In CSV, list values are compact JSON text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from alcabala.errors import ValidationError

FORMATS = ("csv", "jsonl")


@dataclass
class RowError:
    line: int
    field: str
    reason: str
    code: str = ValidationError.code

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


def format_for(path: str, explicit: str | None = None) -> str:
    """The format named explicitly, or guessed from the file name (default CSV)."""
    fmt = explicit or ("jsonl" if path.endswith((".jsonl", ".ndjson")) else "csv")
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown format {fmt!r}; use csv or jsonl.", field="format")
    return fmt


def scalar(value: Any) -> Any:
    """The canonical JSON value of ``value``."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def cell(value: Any) -> str:
    """The canonical CSV cell of ``value``."""
    value = scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_rows(
    out: IO[str], fmt: str, fields: tuple[str, ...], rows: Iterable[dict[str, Any]]
) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            writer.writerow([cell(row[f]) for f in fields])
            count += 1
    else:
        for row in rows:
            obj = {f: scalar(row[f]) for f in fields}
            out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def read_rows(
    source: IO[str], fmt: str, fields: tuple[str, ...], errors: list[RowError]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, row)``; empty CSV cells are absent keys. Header and syntax
    problems are appended to ``errors``; the header is line 1."""
    if fmt == "csv":
        reader = csv.reader(source)
        header = next(reader, None)
        if header is None:
            errors.append(RowError(1, "header", "the file is empty; a header row is required"))
            return
        header = [h.strip() for h in header]
        unknown = [h for h in header if h not in fields]
        if unknown:
            allowed = ", ".join(fields)
            errors.append(
                RowError(1, "header", f"unknown field(s) {', '.join(unknown)}; allowed: {allowed}")
            )
            return
        width = len(header)
        for values in reader:
            # Blank (or all-whitespace) rows are skipped; the first cell usually decides.
            if not (values and values[0].strip()) and not "".join(values).strip():
                continue
            if len(values) != width:
                errors.append(
                    RowError(
                        reader.line_num, "row", f"{len(values)} cells for {width} header fields"
                    )
                )
                continue
            if "" in values:
                yield (
                    reader.line_num,
                    {h: v for h, v in zip(header, values, strict=True) if v != ""},
                )
            else:
                yield reader.line_num, dict(zip(header, values, strict=True))
        return
    for line, text in enumerate(source, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(RowError(line, "json", f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            errors.append(RowError(line, "json", "each line must be one JSON object"))
            continue
        unknown = [k for k in obj if k not in fields]
        if unknown:
            errors.append(RowError(line, unknown[0], "unknown field"))
            continue
        yield line, {k: v for k, v in obj.items() if v is not None and v != ""}


def open_text(path: str, mode: str) -> IO[str]:
    if path == "-":
        import sys

        return (
            io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            if "w" in mode
            else sys.stdin
        )
    return open(path, mode, encoding="utf-8", newline="")
