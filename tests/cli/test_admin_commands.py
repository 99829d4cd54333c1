"""The administrative CLI: users, agencies, checkpoints, db, records (both databases)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from alcabala.accounts.models import ApiToken, User
from alcabala.accounts.services import hash_token, user_for_token, verify_password
from alcabala.checkpoints.models import Checkpoint
from alcabala.cli.main import app
from alcabala.db.engine import read_session

runner = CliRunner()


def run(db_url: str, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args], env={"ALCABALA_DATABASE_URL": db_url}, input=input)
    return result.exit_code, result.stdout, result.stderr


def test_users_add_prints_token_once_on_last_line(db_url: str, engine: Engine) -> None:
    code, out, _ = run(db_url, "agencies", "add", "CICPC", "--name", "CICPC")
    assert code == 0
    code, out, err = run(db_url, "users", "add", "ana", "--role", "officer", "--agency", "CICPC")
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    assert token.startswith("alc_") and len(token) > 30
    with read_session(engine) as s:
        user = user_for_token(s, token)
        assert user is not None and user.username == "ana" and user.password_hash is None
        stored = s.scalars(select(ApiToken.token_hash)).all()
        assert stored == [hash_token(token)]  # only the hash is kept
        assert token not in stored


def test_password_from_stdin_is_argon2(db_url: str, engine: Engine) -> None:
    code, _, err = run(
        db_url,
        "users",
        "add",
        "reg",
        "--role",
        "registrar",
        "--password-stdin",
        input="correct horse\n",
    )
    assert code == 0, err
    with read_session(engine) as s:
        user = s.scalar(select(User).where(User.username == "reg"))
        assert user is not None and user.password_hash is not None
        assert user.password_hash.startswith("$argon2")
        assert verify_password(s, "reg", "correct horse") is not None
        assert verify_password(s, "reg", "wrong horse") is None
    code, _, _ = run(db_url, "users", "password", "reg", "--password-stdin", input="new secret 1\n")
    assert code == 0
    with read_session(engine) as s:
        assert verify_password(s, "reg", "new secret 1") is not None


def test_bad_role_is_one_readable_line(db_url: str, engine: Engine) -> None:
    code, _out, err = run(db_url, "users", "add", "bob", "--role", "sheriff")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "role" in err and "officer" in err
    with read_session(engine) as s:
        assert s.scalars(select(User)).all() == []


def test_checkpoints_add_and_list(db_url: str, engine: Engine) -> None:
    code, _, err = run(
        db_url,
        "checkpoints",
        "add",
        "gua-aldao",
        "--name",
        "Puente Aldao",
        "--road",
        "Troncal 2",
        "--state",
        "Guárico",
        "--lat",
        "8.9",
        "--lon",
        "-67.42",
    )
    assert code == 0, err
    code, out, _ = run(db_url, "checkpoints", "list")
    assert "GUA-ALDAO" in out and "Puente Aldao" in out
    code, _, err = run(
        db_url, "checkpoints", "add", "X", "--name", "n", "--lat", "91", "--lon", "0"
    )
    assert code == 1 and "lat" in err
    with read_session(engine) as s:
        assert s.scalars(select(Checkpoint.code)).all() == ["GUA-ALDAO"]


def test_records_due_and_validate(db_url: str, engine: Engine, actors: dict[str, int]) -> None:
    code, out, _ = run(db_url, "records", "due")
    assert code == 0 and "0 record(s) due" in out
    code, _, err = run(db_url, "records", "validate", "NOPE", "--actor", "registrar")
    assert code == 1 and "NOPE" in err
