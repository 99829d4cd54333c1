"""The fast path of bulk rows: an input schema's own validators, called without pydantic.

What: :func:`fast_parse` checks one row against a flat input schema (``VehicleIn``,
``PersonIn``...) by reading the schema once (:class:`FastSchema`: its fields, their
constraints, "before" field validators, ``AfterValidator`` functions and "after" model
validators) and then calling those very functions directly on the row's values, in
pydantic's order, into a plain dict. Whenever it cannot be sure that pydantic would accept
a value unchanged (a value needing coercion, surrounding whitespace, a constraint or a
validator failing, a lone surrogate, a field shape it does not know), it gives up on the
row and the row goes through ``model.model_validate`` as before. So every refusal, and its
message, still comes from pydantic and the rule functions: the fast path only ever
accepts, and only what the slow path accepts, with the same values
(``tests/bulk/test_fastpath.py`` compares the two, row by row and property-based).

Why: building a pydantic model costs about 20 µs a row on top of the identifier checks
themselves; a million-row import spends most of its time there. Values that repeat
(countries, agency codes) are validated once per import through a small cache, as long as
the cache keeps hitting.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re
import sys
import types
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types as at
import pydantic
from pydantic.fields import FieldInfo
from pydantic.functional_validators import AfterValidator

from alcabala.bulk.codec import parse

_KINDS: dict[Any, str] = {str: "str", int: "int", dt.date: "date"}
_TYPES = {name: type_ for type_, name in _KINDS.items()}
_IMMUTABLE = (str, int, bool, float, type(None))
_CONFIG_KEYS = frozenset({"extra", "str_strip_whitespace"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT_DIGITS = 9  # longer digit strings go the slow way (pydantic's limits, leading zeros...)
CACHE_SIZE = 4096
CACHE_TRIAL = 1000  # lookups before a cache that rarely hits is dropped


class Unsupported(Exception):
    """The schema uses something the fast path does not reproduce: always use pydantic."""


class _Field:
    """How to check one field: its kind, constraints and validators, in pydantic's order."""

    __slots__ = (
        "after",
        "before",
        "cache",
        "default",
        "ge",
        "hits",
        "kind",
        "le",
        "lookups",
        "max_len",
        "min_len",
        "name",
        "nullable",
        "required",
    )

    def __init__(self, name: str, info: FieldInfo, before: list[Callable[[Any], Any]]) -> None:
        if info.alias or info.validation_alias or info.default_factory is not None:
            raise Unsupported(f"{name}: aliases and default factories")
        if info.validate_default:
            raise Unsupported(f"{name}: validated default")
        self.name, self.before = name, tuple(before)
        self.required = info.is_required()
        self.default = None if self.required else info.default
        if not isinstance(self.default, _IMMUTABLE):
            raise Unsupported(f"{name}: mutable default")
        annotation, self.nullable = _unwrap_optional(info.annotation)
        inner: list[Any] = []
        if get_origin(annotation) is Annotated:
            annotation, *inner = get_args(annotation)
        if inner and info.metadata:
            raise Unsupported(f"{name}: constraints both inside and outside Optional")
        if info.metadata and self.nullable and _validators(info.metadata):
            raise Unsupported(f"{name}: a validator around Optional sees None")
        metadata = [*inner, *info.metadata]
        if annotation not in _KINDS:
            raise Unsupported(f"{name}: type {annotation!r}")
        self.kind = _KINDS[annotation]
        self.min_len: int | None = None
        self.max_len: int | None = None
        self.ge: Any = None
        self.le: Any = None
        self.after = tuple(_validators(metadata))
        constraints = [m for m in metadata if not isinstance(m, AfterValidator)]
        if self.after and constraints:
            raise Unsupported(f"{name}: constraints and validators together")
        for item in constraints:
            self._constrain(item)
        self.cache: dict[Any, Any] | None = {} if self.after else None
        self.hits = self.lookups = 0

    def _constrain(self, item: Any) -> None:
        text, number = self.kind == "str", self.kind == "int"
        if isinstance(item, at.MinLen) and text:
            self.min_len = item.min_length
        elif isinstance(item, at.MaxLen) and text:
            self.max_len = item.max_length
        elif isinstance(item, at.Ge) and number:
            self.ge = item.ge
        elif isinstance(item, at.Le) and number:
            self.le = item.le
        else:
            raise Unsupported(f"{self.name}: constraint {item!r}")

    def bounds(self) -> tuple[Any, Any]:
        """``(low, high)``: of the length of text, of the value of a number."""
        if self.kind == "str":
            return self.min_len or 0, sys.maxsize if self.max_len is None else self.max_len
        low = -math.inf if self.ge is None else self.ge
        return low, math.inf if self.le is None else self.le

    def validated(self, value: Any) -> Any:
        """The value after this field's validators, through the cache while it pays."""
        cache = self.cache
        if cache is None:
            for validator in self.after:
                value = validator(value)
            return value
        self.lookups += 1
        if value in cache:
            self.hits += 1
            return cache[value]
        result = value
        for validator in self.after:
            result = validator(result)
        if len(cache) < CACHE_SIZE:
            cache[value] = result
        if self.lookups == CACHE_TRIAL and self.hits * 2 < self.lookups:
            self.cache = None  # unique values (VINs): not worth a dictionary
        return result


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        others = [a for a in args if a is not type(None)]
        if len(args) != 2 or len(others) != 1:
            raise Unsupported(f"union {annotation!r}")
        return others[0], True
    return annotation, False


def _validators(metadata: list[Any]) -> list[Callable[[Any], Any]]:
    return [
        _one_argument(m.func, "an AfterValidator")
        for m in metadata
        if isinstance(m, AfterValidator)
    ]


def _one_argument(func: Callable[..., Any], what: str) -> Callable[..., Any]:
    if len(inspect.signature(func).parameters) != 1:
        raise Unsupported(f"{what} takes validation info")
    return func


class _Bag:
    """Stands in for the model in its "after" validators: attributes over the values dict."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values


class FastSchema:
    """A flat pydantic input schema, read once, checking rows without building models."""

    def __init__(self, model: type[pydantic.BaseModel]) -> None:
        config = dict(model.model_config)
        if not set(config) <= _CONFIG_KEYS or config.get("extra", "ignore") == "allow":
            raise Unsupported(f"config {config}")
        if model.__pydantic_post_init__ is not None:
            raise Unsupported("model_post_init")
        self.strip = bool(config.get("str_strip_whitespace"))
        decorators = model.__pydantic_decorators__
        before: dict[str, list[Callable[[Any], Any]]] = {name: [] for name in model.model_fields}
        for dec in decorators.field_validators.values():
            if dec.info.mode != "before":
                raise Unsupported(f"field validator mode {dec.info.mode}")
            names = model.model_fields if "*" in dec.info.fields else dec.info.fields
            for name in names:
                before[name].append(_one_argument(dec.func, "a field validator"))
        self.model_after: list[Callable[[Any], Any]] = []
        for model_dec in decorators.model_validators.values():
            if model_dec.info.mode != "after":
                raise Unsupported(f"model validator mode {model_dec.info.mode}")
            self.model_after.append(_one_argument(model_dec.func, "a model validator"))
        if decorators.root_validators or decorators.validators:
            raise Unsupported("deprecated validators")
        self.fields = [_Field(n, i, before[n]) for n, i in model.model_fields.items()]
        self.names = frozenset(model.model_fields)
        self.plan = [(f, f.name, _TYPES[f.kind], f.before, *f.bounds()) for f in self.fields]

    def check(self, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row's values as pydantic would validate them, or None: ask pydantic."""
        if not self.names.issuperset(row):
            return None
        strip = self.strip
        values: dict[str, Any] = {}
        try:
            for field, name, kind, before, low, high in self.plan:
                value = row.get(name, _ABSENT)
                if value is _ABSENT:
                    if field.required:
                        return None
                    values[name] = field.default
                    continue
                for validator in before:
                    value = validator(value)
                if value is None:
                    if not field.nullable:
                        return None
                    values[name] = None
                    continue
                if kind is str:  # inline: most fields are text
                    if type(value) is not str:
                        return None
                    if value and strip and (value[0].isspace() or value[-1].isspace()):
                        return None
                    if not value.isascii():
                        value.encode("utf-8")  # a lone surrogate raises: the slow path decides
                    if not low <= len(value) <= high:
                        return None
                else:
                    value = _int(value, low, high) if kind is int else _date(value)
                    if value is None:
                        return None
                values[name] = field.validated(value) if field.after else value
            bag = _Bag(values)
            for validator in self.model_after:
                if validator(bag) is not bag:
                    return None
        except Exception:  # any doubt at all: the slow path decides, with its message
            return None
        return values


def _int(value: Any, low: Any, high: Any) -> int | None:
    """An int pydantic takes as it is (an int, or plain decimal digits), within bounds."""
    if type(value) is str:
        if not (0 < len(value) <= _INT_DIGITS and value.isascii() and value.isdigit()):
            return None
        if value[0] == "0" and len(value) > 1:
            return None
        value = int(value)
    elif type(value) is not int:
        return None
    return value if low <= value <= high else None


def _date(value: Any) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` (anything else: the slow path)."""
    if type(value) is not str or not _ISO_DATE.fullmatch(value):
        return None
    return dt.date.fromisoformat(value)


_ABSENT = object()
_SCHEMAS: dict[type[pydantic.BaseModel], FastSchema | None] = {}


def fast_schema(model: type[pydantic.BaseModel]) -> FastSchema | None:
    """The model's fast schema (built once per process), or None if it has none."""
    if model not in _SCHEMAS:
        try:
            _SCHEMAS[model] = FastSchema(model)
        except Unsupported:
            _SCHEMAS[model] = None
    return _SCHEMAS[model]


def slow_parse(model: type[pydantic.BaseModel], row: dict[str, Any]) -> dict[str, Any]:
    """The row's field values through ``model.model_validate``, or its problems."""
    return dict(parse(model, row))


def fast_parse(model: type[pydantic.BaseModel], row: dict[str, Any]) -> dict[str, Any]:
    """Exactly :func:`slow_parse`, through the fast path when it is sure."""
    schema = fast_schema(model)
    if schema is not None:
        values = schema.check(row)
        if values is not None:
            return values
    return slow_parse(model, row)
