"""Property-based tests of custody's parsers: amounts (quantities, weights) and the count
file of a location audit."""

from __future__ import annotations

import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alcabala.cli.custody import read_count
from alcabala.custody.outcomes import same_amount
from alcabala.custody.schemas import CountLine, LineIn
from alcabala.errors import ValidationError
from alcabala.schemas import validate

AMOUNTS = st.decimals(min_value=0, max_value=999_999_999, places=3, allow_nan=False)
LABELS = st.builds(
    lambda a, b, n: f"I-{a}-{b}/{n}",
    st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=5, max_size=5),
    st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=5, max_size=5),
    st.integers(1, 999),
)


def _amount(value: object) -> str:
    line = validate(LineIn, {"label": "I-AAAAA-AAAAA/1", "quantity": value})
    assert line.quantity is not None
    return line.quantity


@given(AMOUNTS)
def test_an_amount_is_canonical_and_keeps_its_value(value: decimal.Decimal) -> None:
    text = _amount(str(value))
    assert decimal.Decimal(text) == value
    assert _amount(text) == text  # canonical: parsing it again changes nothing
    assert "E" not in text and (text == "0" or not text.startswith("0") or text.startswith("0."))
    assert _amount(text.replace(".", ",")) == text  # a comma is a decimal point too
    assert same_amount(text, str(value))


@given(st.decimals(min_value=-1e12, max_value=1e12, allow_nan=False, places=6))
def test_an_amount_out_of_range_or_too_precise_is_refused_naming_the_field(
    value: decimal.Decimal,
) -> None:
    ok = 0 <= value < decimal.Decimal("1e9") and value == value.quantize(decimal.Decimal("0.001"))
    if ok:
        assert decimal.Decimal(_amount(str(value))) == value
        return
    with pytest.raises(ValidationError) as caught:
        _amount(str(value))
    assert caught.value.field == "quantity"


@given(st.lists(st.tuples(LABELS, st.none() | AMOUNTS), max_size=20))
def test_a_count_file_reads_back_what_was_counted(lines: list[tuple[str, object]]) -> None:
    text = "# conteo\n" + "".join(
        f"{label.lower()}{'' if q is None else f' {q}'}\n\n" for label, q in lines
    )
    expected: dict[str, str | None] = {}
    twice = False
    for label, q in lines:
        quantity = None if q is None else format(decimal.Decimal(str(q)).normalize(), "f")
        if label in expected and expected[label] is not None and quantity is not None:
            twice = True
        if label not in expected or quantity is not None:
            expected[label] = quantity
    if twice:
        with pytest.raises(ValidationError, match="counted twice"):
            read_count(text)
        return
    assert read_count(text) == [CountLine(label=k, quantity=v) for k, v in expected.items()]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("I-AAAAA-AAAAA/1 2 3\n", "line 1"),
        ("\nnot-a-label\n", "line 2"),
        ("I-AAAAA-AAAAA/1 x", "line 1"),
    ],
)
def test_a_bad_count_line_is_named(text: str, where: str) -> None:
    with pytest.raises(ValidationError, match=where):
        read_count(text)
