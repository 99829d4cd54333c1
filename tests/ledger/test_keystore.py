"""The log's keys on disk: ``alcabala keys generate``, ``alcabala log key``, rotation.

Keys are written 0600, never overwritten without ``--force``, and a rotation keeps the old
verifier key: a checkpoint signed before it still verifies with ``verifier_keys``. Every
bad key file is one readable line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alcabala.cli.main import app
from alcabala.config import Settings
from alcabala.ledger import ProofError
from alcabala.ledger.checkpoint import Checkpoint, open_checkpoint
from alcabala.ledger.cosignature import witness_verifier_key
from alcabala.ledger.keys import Signer, Verifier
from alcabala.ledger.keystore import (
    KeyFileError,
    key_path,
    load_signer,
    old_verifier_keys,
    read_signer,
    verifier_keys,
    write_signer,
)

ORIGIN = "registro.example/alcabala"
runner = CliRunner()


def run(data_dir: Path, *args: str, **env: str) -> tuple[int, str, str]:
    variables = {"ALCABALA_DATA_DIR": str(data_dir), "ALCABALA_LOG_ORIGIN": ORIGIN, **env}
    result = runner.invoke(app, list(args), env=variables)
    return result.exit_code, result.stdout, result.stderr


def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, log_origin=ORIGIN)


def one_error_line(code: int, err: str, *words: str) -> None:
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


def test_generate_writes_a_private_key_and_prints_its_verifier_key(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "keys", "generate", "--origin", ORIGIN)
    assert code == 0, err
    path = tmp_path / "log_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith(f"PRIVATE+KEY+{ORIGIN}+")
    vkey = out.strip()
    assert out.count("\n") == 1  # stdout is the verifier key alone
    assert Signer.parse(path.read_text().strip()).verifier_key() == vkey
    assert Verifier.parse(vkey).name == ORIGIN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log_key"]  # no temporary left
    assert load_signer(settings(tmp_path)).verifier_key() == vkey
    code, out, _ = run(tmp_path, "log", "key")
    assert code == 0 and out == vkey + "\n"


def test_the_origin_defaults_to_settings_and_the_file_to_the_setting(tmp_path: Path) -> None:
    target = tmp_path / "keys" / "signer"
    code, _, err = run(tmp_path, "keys", "generate", ALCABALA_LOG_KEY_FILE=str(target))
    assert code == 0, err
    assert read_signer(target).name == ORIGIN
    assert key_path(Settings.from_env({"ALCABALA_LOG_KEY_FILE": str(target)})) == target
    assert key_path(Settings(data_dir=tmp_path)) == tmp_path / "log_key"
    code, _, err = run(tmp_path, "keys", "generate", "--origin", "other.example/log")
    assert code == 0 and "ALCABALA_LOG_ORIGIN" in err  # a key the log would not use: said


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    assert run(tmp_path, "keys", "generate")[0] == 0
    before = (tmp_path / "log_key").read_bytes()
    code, out, err = run(tmp_path, "keys", "generate")
    one_error_line(code, err, "already exists", "--force")
    assert out == "" and (tmp_path / "log_key").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log_key"]


def test_rotation_keeps_old_checkpoints_verifiable(tmp_path: Path) -> None:
    assert run(tmp_path, "keys", "generate")[0] == 0
    old = load_signer(settings(tmp_path))
    old_note = Checkpoint(ORIGIN, 3, bytes(32)).sign([old])
    code, out, err = run(tmp_path, "keys", "generate", "--force")
    assert code == 0, err
    new = load_signer(settings(tmp_path))
    assert new != old and out.strip() == new.verifier_key()
    assert stat.S_IMODE((tmp_path / "log_key").stat().st_mode) == 0o600
    keys = verifier_keys(settings(tmp_path))
    assert keys == [new.verifier_key(), old.verifier_key()]
    assert open_checkpoint(old_note, keys, origin=ORIGIN).size == 3
    new_note = Checkpoint(ORIGIN, 4, bytes(32)).sign([new])
    assert open_checkpoint(new_note, keys, origin=ORIGIN).size == 4
    with pytest.raises(ProofError):  # the current key alone no longer verifies the old
        open_checkpoint(old_note, [new.verifier_key()])
    assert run(tmp_path, "log", "key")[1] == new.verifier_key() + "\n"
    assert run(tmp_path, "log", "key", "--all")[1] == "\n".join(keys) + "\n"
    assert run(tmp_path, "keys", "generate", "--force")[0] == 0  # a second rotation
    newest = load_signer(settings(tmp_path)).verifier_key()
    assert verifier_keys(settings(tmp_path)) == [newest, *keys]
    assert old_verifier_keys(key_path(settings(tmp_path))) == [old.verifier_key(), keys[0]]


def test_a_rotation_cannot_change_the_origin(tmp_path: Path) -> None:
    assert run(tmp_path, "keys", "generate")[0] == 0
    code, _, err = run(tmp_path, "keys", "generate", "--force", "--origin", "b.example/log")
    one_error_line(code, err, "another log")
    assert load_signer(settings(tmp_path)).name == ORIGIN


@pytest.mark.parametrize(
    ("content", "mode", "words"),
    [
        (None, 0o600, ("no key at", "keys generate")),
        ("not a key\n", 0o600, ("not a signer key",)),
        ("PRIVATE+KEY+a+00000000+AQ==\n", 0o600, ("not a signer key",)),
        ("\xff\xfe", 0o600, ("cannot read",)),
        ("GOOD", 0o644, ("mode 0644", "0600")),
        ("GOOD", 0o640, ("mode 0640",)),
    ],
)
def test_a_bad_key_file_is_one_line_and_exit_1(
    tmp_path: Path, content: str | None, mode: int, words: tuple[str, ...]
) -> None:
    path = tmp_path / "log_key"
    if content is not None:
        text = Signer.generate(ORIGIN).key_string() if content == "GOOD" else content
        path.write_bytes(text.encode("latin-1"))
        path.chmod(mode)
    for command in (["log", "key"], ["log", "key", "--all"]):
        code, out, err = run(tmp_path, *command)
        one_error_line(code, err, *words)
        assert out == ""
    with pytest.raises(KeyFileError):
        verifier_keys(settings(tmp_path))


def test_a_key_of_another_origin_is_refused(tmp_path: Path) -> None:
    write_signer(tmp_path / "log_key", Signer.generate("other.example/log"))
    code, _, err = run(tmp_path, "log", "key")
    one_error_line(code, err, "other.example/log", "ALCABALA_LOG_ORIGIN")


def test_a_malformed_old_key_list_names_its_line(tmp_path: Path) -> None:
    assert run(tmp_path, "keys", "generate")[0] == 0
    (tmp_path / "log_key.old").write_text("# old keys\n\nnot+a+key\n")
    code, _, err = run(tmp_path, "log", "key", "--all")
    one_error_line(code, err, "log_key.old, line 3")
    assert run(tmp_path, "log", "key")[0] == 0  # the current key alone still prints


def test_a_directory_or_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "log_key").mkdir()
    code, _, err = run(tmp_path, "log", "key")
    one_error_line(code, err, "not a regular file")
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(tmp_path, "keys", "generate", ALCABALA_LOG_KEY_FILE=str(blocker / "k"))
    one_error_line(code, err, "cannot write")


def test_a_witness_key_prints_its_cosignature_verifier_key(tmp_path: Path) -> None:
    out_file = tmp_path / "witness.key"
    args = ["keys", "generate", "--witness", "--name", "w1.example", "--out", str(out_file)]
    code, out, err = run(tmp_path, *args)
    assert code == 0, err
    signer = read_signer(out_file)
    assert out.strip() == witness_verifier_key(signer)
    assert Verifier.parse(out.strip()).sig_type == 0x04
    assert not (tmp_path / "log_key").exists()  # the log's key is untouched
    code, _, err = run(tmp_path, *args)
    one_error_line(code, err, "already exists")
    code, out, err = run(tmp_path, *args, "--force")
    assert code == 0, err
    old = Verifier.parse(old_verifier_keys(out_file)[0])
    assert old.sig_type == 0x04 and old.key_string() == witness_verifier_key(signer)
    code, _, err = run(tmp_path, "keys", "generate", "--witness", "--out", str(out_file))
    one_error_line(code, err, "--name")
