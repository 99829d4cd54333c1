"""From HTML forms to the domain's schemas, and from its errors back to the form.

A form posts flat strings; :func:`build` turns them into a schema (the same Pydantic schema the
API validates) and, when that fails, into ``{field: message}`` so each message is shown next
to the field it concerns. Errors of services (:class:`alcabala.errors.Error`) carry their
``field`` too; :func:`field_errors` maps both kinds, and :func:`refusal` gives the whole
answer to a refused form: the messages, the status the API would answer (422 for a form or
validation error, the error's own status otherwise: 409 for conflicts and transitions, 403
for forbidden...) and the error's code, sent in the ``X-Alcabala-Error`` header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic
from starlette.datastructures import FormData

from alcabala.errors import Error
from alcabala.web.i18n import N_, Translator

S = TypeVar("S", bound=pydantic.BaseModel)
ERROR_HEADER = "X-Alcabala-Error"
INVALID = "invalid"

# Plain-language messages for Pydantic's error types (its own texts are for developers).
_PYDANTIC = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("This is too long."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "datetime_parsing": N_("Enter a date and time."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "too_long": N_("Too many entries."),
    "bool_parsing": N_("Choose yes or no."),
}


class FormError(Exception):
    """A form that did not validate: ``errors`` maps field names to messages; ``code`` and
    ``status`` are those of the error behind it (``invalid``, 422 for Pydantic's)."""

    def __init__(self, errors: dict[str, str], code: str = INVALID, status: int = 422) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Refusal:
    """Why a form was refused: messages per field, the HTTP status and the error code."""

    errors: dict[str, str]
    status: int
    code: str

    @property
    def headers(self) -> dict[str, str]:
        return {ERROR_HEADER: self.code}


def refusal(
    exc: FormError | Error, t: Translator, aliases: Mapping[str, str] | None = None
) -> Refusal:
    """The answer to a form refused by ``exc`` (its own validation or a service's error)."""
    if isinstance(exc, FormError):
        return Refusal(exc.errors, exc.status, exc.code)
    return Refusal(field_errors(exc, t, aliases), exc.http_status, exc.code)


def values(form: FormData) -> dict[str, str]:
    """The form's single-valued fields as stripped strings (the token left out)."""
    return {
        k: v.strip()
        for k, v in form.items()
        if isinstance(v, str) and k not in ("csrf_token", "confirmed")
    }


def optional(data: Mapping[str, str], *names: str) -> dict[str, Any]:
    """``data`` without the empty strings among ``names`` (so schema defaults apply)."""
    return {k: v for k, v in data.items() if k in names and v != ""}


def field_errors(
    exc: Exception, t: Translator, aliases: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``{field: message}`` of a Pydantic error or an alcabala :class:`Error`.

    ``aliases`` maps a schema's field (or the first part of a nested one, e.g. ``people``)
    to the form field that shows it."""
    aliases = aliases or {}
    out: dict[str, str] = {}
    if isinstance(exc, pydantic.ValidationError):
        for error in exc.errors():
            loc = [str(p) for p in error.get("loc", ())]
            field = next((aliases[p] for p in loc if p in aliases), loc[0] if loc else "")
            kind = str(error.get("type", ""))
            if kind in _PYDANTIC:
                message = t.gettext(_PYDANTIC[kind])
            else:
                message = t.gettext(str(error.get("msg", "")).removeprefix("Value error, "))
            out.setdefault(field or "_form", message)
    elif isinstance(exc, Error):
        field = exc.field or "_form"
        out[aliases.get(field, field)] = t.gettext(exc.message)
    return out


def build(
    schema: type[S], data: Mapping[str, Any], t: Translator, aliases: Mapping[str, str] | None
) -> S:
    """``schema`` validated from ``data``, or :class:`FormError` naming the fields."""
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise FormError(field_errors(exc, t, aliases)) from exc
    except Error as exc:
        raise FormError(field_errors(exc, t, aliases), exc.code, exc.http_status) from exc


def lines(text: str) -> list[str]:
    """The non-empty lines (or comma/space separated items) of a text area."""
    return [item for item in text.replace(",", " ").split() if item]
