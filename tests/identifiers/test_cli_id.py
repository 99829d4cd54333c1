"""``alcabala id``: JSON shape, table output and exit statuses 0 / 1 / 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from alcabala.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, ["id", *args])


def test_valid_vin_as_json_exits_0() -> None:
    result = invoke("vin", "1m8gdm9axkp042788", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # exactly one JSON object and nothing else
    assert set(data) == {"kind", "input", "normalized", "valid", "errors", "warnings", "details"}
    assert data["kind"] == "vin"
    assert data["normalized"] == "1M8GDM9AXKP042788"
    assert data["valid"] is True
    assert data["details"]["check_digit"] == {"expected": "X", "found": "X", "mandatory": True}


def test_invalid_vin_as_json_exits_1() -> None:
    result = invoke("vin", "1M8GDM9AXKP04278", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["errors"] == [
        {"code": "vin_length", "message": "A VIN has 17 characters; this one has 16."}
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["plate", "AB-123-CD"], 0),
        (["plate", "ABC123", "--country", "co"], 0),
        (["plate", "ABC1D23", "--country", "BR"], 0),
        (["plate", "AB-123-C"], 1),
        (["person", "V-12.345.678"], 0),
        (["person", "390.533.447-05", "--country", "BR"], 0),
        (["person", "231.002.999-00", "--country", "BR"], 1),
        (["tag", "862 0000 1234 5678"], 0),
        (["tag", "999000000012345"], 1),
        (["engine", "4G63-AB1234"], 0),
        (["engine", "S/N"], 1),
    ],
)
def test_exit_status_follows_validity(args: list[str], code: int) -> None:
    result = invoke(*args, "--json")
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["valid"] is (code == 0)


def test_country_reaches_the_parser() -> None:
    data = json.loads(invoke("plate", "abc123", "--country", "co", "--json").stdout)
    assert data["details"]["country"] == "CO"
    assert data["details"]["format"] == "co_car"


def test_table_output_shows_errors_and_warnings() -> None:
    result = invoke("vin", "VF1LM1B0H36666155")
    assert result.exit_code == 0
    assert "vin_check_digit" in result.stdout
    assert "Renault" in result.stdout
    bad = invoke("vin", "1M8GDM9A1KP042788")
    assert bad.exit_code == 1
    assert "INVALID" in bad.stdout
    assert "vin_check_digit" in bad.stdout


def test_unknown_kind_is_a_usage_error() -> None:
    result = invoke("passport", "X123")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown identifier kind 'passport'" in lines[0]


@pytest.mark.parametrize("country", ["VEN", "1A", "", "V"])
def test_bad_country_is_a_usage_error(country: str) -> None:
    result = invoke("plate", "AB123CD", "--country", country, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--country" in result.stderr


def test_control_characters_are_not_echoed_raw() -> None:
    result = invoke("engine", "\x1b[2J4G63")
    assert result.exit_code == 0
    assert "\x1b[2J" not in result.stdout


@pytest.mark.parametrize("value", ["[/]", "[bold]AB123CD", "\ud800AB", "A" * 5000])
def test_table_output_survives_markup_and_odd_input(value: str) -> None:
    result = invoke("plate", value)
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
