"""The message catalogue: what each kind of notification says, in Spanish and in English.

Alcabala is used in Venezuela, so every message is written in Spanish first; a recipient
whose language starts with ``en`` gets the English text instead. A message is stored as its
``kind`` and ``params`` (the facts), not as finished text, so it is rendered at send time in
the language the recipient has then. Templates use :meth:`str.format` with the params, and
every template of a kind must name the same params: :func:`check` refuses an unknown kind or
missing params when the message is enqueued, not later when nobody is there to fix the call.

To add a kind: add an entry to :data:`CATALOGUE` with a Spanish and an English
:class:`Template`, and document its params beside it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_LANGUAGE = "es"
LANGUAGES = ("es", "en")
#: The longest subject the ``notifications.subject`` column holds.
SUBJECT_MAX = 200


class MessageError(ValueError):
    """A notification that cannot be rendered: an unknown kind or params that do not fit.

    It is a programming error in the caller (a service enqueueing a message), not something
    a user typed, so it is a plain ``ValueError`` rather than an :class:`alcabala.errors.Error`.
    """


@dataclass(frozen=True)
class Template:
    """A subject and a body, each a :meth:`str.format` template over the kind's params."""

    subject: str
    body: str

    def fields(self) -> frozenset[str]:
        """The params the subject and body name."""
        names: set[str] = set()
        for template in (self.subject, self.body):
            for _, name, _, _ in string.Formatter().parse(template):
                if name:
                    names.add(name)
        return frozenset(names)


@dataclass(frozen=True)
class Rendered:
    """A message in one language, ready to send."""

    language: str
    subject: str
    body: str


CATALOGUE: dict[str, dict[str, Template]] = {
    # A stolen vehicle was found and is in custody; its owner (person or agency) is told.
    # Params: plate, make, model, vin, number (of the stolen report), agency_name (who holds
    # the vehicle), recovered_at ("YYYY-MM-DD HH:MM UTC").
    "vehicle_recovered": {
        "es": Template(
            subject="Su vehículo {plate} ({make} {model}) fue recuperado",
            body=(
                "Denuncia {number}: el vehículo con serial VIN {vin} fue recuperado el "
                "{recovered_at} y se encuentra bajo custodia de {agency_name}. "
                "Comuníquese con ese organismo para coordinar su devolución."
            ),
        ),
        "en": Template(
            subject="Your vehicle {plate} ({make} {model}) was recovered",
            body=(
                "Report {number}: the vehicle with VIN {vin} was recovered on "
                "{recovered_at} and is in the custody of {agency_name}. "
                "Contact them to arrange its return."
            ),
        ),
    },
    # A pre-purchase certificate was superseded while in force (its vehicle was reported
    # stolen or retired, or an inspection read other serial numbers); the buyer who left an
    # address is told. Params: serial, plate, vin, issued_at ("YYYY-MM-DD HH:MM UTC").
    "certificate_superseded": {
        "es": Template(
            subject="El certificado {serial} del vehículo {plate} ya no es válido",
            body=(
                "El certificado {serial}, emitido el {issued_at} para el vehículo placa "
                "{plate} (VIN {vin}), fue reemplazado: la situación del vehículo cambió "
                "después de emitido. No compre ni pague sin verificarlo de nuevo en línea."
            ),
        ),
        "en": Template(
            subject="Certificate {serial} of vehicle {plate} no longer holds",
            body=(
                "Certificate {serial}, issued on {issued_at} for the vehicle with plate "
                "{plate} (VIN {vin}), was superseded: the vehicle's status changed after "
                "issue. Do not buy or pay before verifying it online again."
            ),
        ),
    },
    # A recovered vehicle went back to its owner: both condition inventories, at recovery
    # and at return, side by side. Params: plate, vin, number (of the stolen report),
    # engine_recovery / engine_return (the engine number seen, "—" for none),
    # wheels_recovery / wheels_return, battery_* and radio_* ("✓" or "✗"), cargo_*, and
    # differences (how many parts differ, as digits).
    "vehicle_inventories": {
        "es": Template(
            subject="Inventarios de su vehículo {plate} al recuperarlo y al devolverlo",
            body=(
                "Denuncia {number}, vehículo VIN {vin}.\n"
                "Al recuperarlo: motor {engine_recovery}; ruedas {wheels_recovery}; "
                "batería {battery_recovery}; radio {radio_recovery}; carga: {cargo_recovery}.\n"
                "Al devolverlo: motor {engine_return}; ruedas {wheels_return}; "
                "batería {battery_return}; radio {radio_return}; carga: {cargo_return}.\n"
                "Partes que difieren: {differences}. Si falta algo, puede denunciarlo "
                "citando este mensaje."
            ),
        ),
        "en": Template(
            subject="Inventories of your vehicle {plate} at recovery and at return",
            body=(
                "Report {number}, vehicle VIN {vin}.\n"
                "At recovery: engine {engine_recovery}; wheels {wheels_recovery}; "
                "battery {battery_recovery}; radio {radio_recovery}; cargo: {cargo_recovery}.\n"
                "At return: engine {engine_return}; wheels {wheels_return}; "
                "battery {battery_return}; radio {radio_return}; cargo: {cargo_return}.\n"
                "Parts that differ: {differences}. If anything is missing, you may complain "
                "quoting this message."
            ),
        ),
    },
}


def language_for(language: str | None) -> str:
    """The catalogue language for a recipient's stated language: English for ``en``,
    ``en-US``, ``EN_gb``...; Spanish for everything else, including nothing at all."""
    if language and language.strip().lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def kinds() -> tuple[str, ...]:
    """Every kind the catalogue knows, sorted."""
    return tuple(sorted(CATALOGUE))


def check(kind: str, params: Mapping[str, str]) -> None:
    """Raise :class:`MessageError` unless ``kind`` is known and ``params`` are text values
    covering every field its templates name (extra params are allowed and kept)."""
    templates = CATALOGUE.get(kind)
    if templates is None:
        raise MessageError(
            f"Unknown notification kind {kind!r}; known kinds: {', '.join(kinds())}."
        )
    wrong = sorted(name for name, value in params.items() if not isinstance(value, str))
    if wrong:
        raise MessageError(
            f"Notification {kind!r} params must be text; not text: {', '.join(wrong)}."
        )
    needed = frozenset().union(*(t.fields() for t in templates.values()))
    missing = sorted(needed - params.keys())
    if missing:
        raise MessageError(f"Notification {kind!r} needs params: {', '.join(missing)}.")


def render(kind: str, params: Mapping[str, str], language: str | None = None) -> Rendered:
    """``kind`` with ``params`` in the catalogue language for ``language`` (Spanish by
    default). Raises :class:`MessageError` if the kind is unknown or a param is missing."""
    check(kind, params)
    chosen = language_for(language)
    template = CATALOGUE[kind][chosen]
    return Rendered(
        language=chosen,
        subject=_one_line(template.subject.format_map(params))[:SUBJECT_MAX],
        body=template.body.format_map(params),
    )


def _one_line(text: str) -> str:
    """A subject on one line: a line break in a param must not start a new mail header."""
    return " ".join(text.split())
