"""The message catalogue: Spanish by default, English for ``en*``, and clear errors for a
kind or params that do not fit (no database needed)."""

from __future__ import annotations

import pytest

from alcabala.notifications import messages
from alcabala.notifications.messages import MessageError, language_for, render

PARAMS = {
    "plate": "AB123CD",
    "make": "Toyota",
    "model": "Corolla",
    "vin": "JTDBR32E720123456",
    "number": "CICPC-2026-0042",
    "agency_name": "CICPC",
    "recovered_at": "2026-03-14 09:30 UTC",
}


@pytest.mark.parametrize(
    ("stated", "chosen"),
    [
        (None, "es"),
        ("", "es"),
        ("es", "es"),
        ("es-VE", "es"),
        ("pt", "es"),
        ("en", "en"),
        ("en-US", "en"),
        (" EN_gb", "en"),
    ],
)
def test_spanish_unless_the_language_starts_with_en(stated: str | None, chosen: str) -> None:
    assert language_for(stated) == chosen


def test_vehicle_recovered_in_spanish_and_english() -> None:
    es = render("vehicle_recovered", PARAMS)
    assert es.language == "es"
    assert es.subject == "Su vehículo AB123CD (Toyota Corolla) fue recuperado"
    assert "Denuncia CICPC-2026-0042" in es.body
    assert "JTDBR32E720123456" in es.body and "2026-03-14 09:30 UTC" in es.body
    assert "bajo custodia de CICPC" in es.body

    en = render("vehicle_recovered", PARAMS, "en")
    assert en.language == "en"
    assert en.subject == "Your vehicle AB123CD (Toyota Corolla) was recovered"
    assert en.body.startswith("Report CICPC-2026-0042: the vehicle with VIN JTDBR32E720123456")
    assert "in the custody of CICPC" in en.body


def test_every_kind_speaks_both_languages_with_the_same_params() -> None:
    for kind, templates in messages.CATALOGUE.items():
        assert set(templates) == set(messages.LANGUAGES), kind
        assert templates["es"].fields() == templates["en"].fields(), kind


def test_an_unknown_kind_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(MessageError, match=r"Unknown notification kind 'vehicle_lost'.*vehicle_"):
        render("vehicle_lost", PARAMS)


def test_missing_params_are_named() -> None:
    partial = {k: v for k, v in PARAMS.items() if k not in {"vin", "make"}}
    with pytest.raises(MessageError, match="needs params: make, vin"):
        messages.check("vehicle_recovered", partial)


def test_params_must_be_text() -> None:
    with pytest.raises(MessageError, match="must be text; not text: number"):
        messages.check("vehicle_recovered", {**PARAMS, "number": 42})  # type: ignore[dict-item]


def test_extra_params_are_allowed() -> None:
    messages.check("vehicle_recovered", {**PARAMS, "colour": "gris"})


def test_a_subject_stays_on_one_line_and_fits_its_column() -> None:
    rendered = render(
        "vehicle_recovered", {**PARAMS, "model": "Corolla\r\nBcc: x@y", "make": "M" * 300}
    )
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert len(rendered.subject) == messages.SUBJECT_MAX
