"""The C2SP tlog-witness: its rules in-process, and two real witnesses refusing a split view.

In-process, through the ASGI app: every status of c2sp.org/tlog-witness ``add-checkpoint``,
the state kept across a restart, the directory lock. Then two ``alcabala witness serve``
processes: a log gets checkpoint A cosigned by both, then signs B, bigger, whose tree does
not extend A's; both witnesses refuse it, whatever the log sends, and B is not witnessed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from typer.testing import CliRunner

from alcabala.cli.main import app
from alcabala.config import Settings
from alcabala.errors import ValidationError
from alcabala.ledger import ProofError, consistency_proof, leaf_hash, note, root_hash
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, verify_cosignature
from alcabala.ledger.keys import Signer
from alcabala.ledger.witness import (
    MAX_PROOF_LINES,
    BadSignature,
    InconsistentProof,
    MalformedRequest,
    SizeConflict,
    UnknownLog,
    Witness,
    WitnessError,
    WitnessStateError,
    parse_request,
    state_file,
)
from alcabala.ledger.witness_app import create_witness_app
from alcabala.ledger.witness_client import (
    WitnessUnavailable,
    count_witnessed,
    request_body,
    submit_checkpoint,
    witness_policy,
)

ORIGIN = "log.example/alcabala"
LOG = Signer.generate(ORIGIN)
IMPOSTOR = Signer.generate(ORIGIN)  # same name, another key
STRANGER = Signer.generate("stranger.example/log")
WITNESS = Signer.generate("witness.example/w1")
NOW = 1_700_000_000


def leaves(n: int, tag: bytes = b"entry") -> list[bytes]:
    return [leaf_hash(b"%s %d" % (tag, i)) for i in range(n)]


def signed(hashes: list[bytes], signer: Signer = LOG, origin: str = ORIGIN) -> str:
    return Checkpoint(origin, len(hashes), root_hash(hashes)).sign([signer])


def body_text(signed_note: str) -> str:
    return signed_note[: signed_note.rindex("\n\n") + 1]


@pytest.fixture
def witness(tmp_path: Path) -> Iterator[Witness]:
    with Witness(WITNESS, [LOG.verifier_key()], tmp_path / "state", clock=lambda: NOW) as w:
        yield w


@pytest.fixture
def client(witness: Witness) -> Iterator[TestClient]:
    with TestClient(create_witness_app(witness)) as c:
        yield c


def post(client: TestClient, old: int, proof: list[bytes], note: str) -> tuple[int, str, str]:
    response = client.post("/add-checkpoint", content=request_body(old, proof, note))
    return response.status_code, response.text, response.headers.get("content-type", "")


def test_first_checkpoint_then_consistent_growth(client: TestClient, witness: Witness) -> None:
    tree = leaves(13)
    a = signed(tree[:5])
    status, text, kind = post(client, 0, [], a)
    assert status == 200 and kind.startswith("text/plain")
    assert text.startswith("— witness.example/w1 ") and text.count("\n") == 1
    assert verify_cosignature(body_text(a), text, witness.verifier_key) == NOW
    assert count_witnessed(a + text, [witness.verifier_key], 1)
    b = signed(tree)
    status, text, _ = post(client, 5, consistency_proof(5, 13, tree), b)
    assert status == 200
    assert verify_cosignature(body_text(b), text, witness.verifier_key) == NOW
    state = witness.state(ORIGIN)
    assert state is not None and (state.size, state.root) == (13, root_hash(tree))
    record = json.loads(state_file(witness.state_dir, ORIGIN).read_text())
    assert record["size"] == 13 and record["note"] == b
    assert post(client, 13, [], b)[0] == 200  # the same checkpoint again: cosigned again


def test_a_wrong_old_size_is_409_with_the_witness_size(client: TestClient) -> None:
    tree = leaves(8)
    assert post(client, 0, [], signed(tree[:4]))[0] == 200
    for old in (0, 3, 5):
        status, text, kind = post(client, old, [], signed(tree))
        assert (status, text, kind) == (409, "4\n", "text/x.tlog.size")


def test_a_bad_proof_is_422(client: TestClient, tmp_path: Path) -> None:
    tree = leaves(9)
    assert post(client, 0, [], signed(tree[:6]))[0] == 200
    proof = consistency_proof(6, 9, tree)
    proof[0] = bytes(32)
    assert post(client, 6, proof, signed(tree))[0] == 422
    assert post(client, 6, [], signed(tree))[0] == 422  # no proof at all
    assert post(client, 6, proof[:-1], signed(tree))[0] == 422
    assert list((tmp_path / "state" / "evidence").iterdir())  # the fork attempt is kept


def test_same_size_other_root_is_409(client: TestClient) -> None:
    assert post(client, 0, [], signed(leaves(4)))[0] == 200
    assert post(client, 4, [], signed(leaves(4, b"other")))[:2] == (409, "4\n")
    assert post(client, 4, [bytes(32)], signed(leaves(4)))[0] == 422  # equal sizes: no proof


def test_a_first_checkpoint_needs_no_proof(client: TestClient) -> None:
    assert post(client, 0, [bytes(32)], signed(leaves(3)))[0] == 422
    assert post(client, 0, [], signed([]))[0] == 200  # the empty tree is a checkpoint too
    assert post(client, 0, [], signed(leaves(3)))[0] == 200  # nothing to prove from 0


def test_signatures_and_origins(client: TestClient) -> None:
    tree = leaves(3)
    assert post(client, 0, [], signed(tree, IMPOSTOR))[0] == 403
    text, [signature] = note.parse(signed(tree))
    bad = bytes([signature.signature[0] ^ 1]) + signature.signature[1:]
    forged = text + "\n" + note.signature_line(ORIGIN, signature.key_id, bad)
    assert post(client, 0, [], forged)[0] == 403  # a known key whose signature fails
    both = Checkpoint(ORIGIN, 3, root_hash(tree)).sign([IMPOSTOR, LOG])
    assert post(client, 0, [], both)[0] == 200  # unknown keys are ignored
    assert post(client, 0, [], signed(tree, STRANGER, STRANGER.name))[0] == 404


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 0\n",
        b"old 01\n\n",
        b"old -1\n\n",
        b"old 0 \n\n",
        b"OLD 0\n\n",
        b"old 18446744073709551616\n\n",
        b"old 0\nnot base64\n\n",
        b"old 0\nAAAA\n\n",
        b"old 0\n\nnot a note",
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_is_400(client: TestClient, body: bytes) -> None:
    tree = leaves(2)
    note = signed(tree).encode() if body.endswith(b"\n\n") else b""
    assert client.post("/add-checkpoint", content=body + note).status_code == 400


def test_other_400s_405_and_413(client: TestClient) -> None:
    tree = leaves(4)
    assert post(client, 5, [], signed(tree))[0] == 400  # old above the size: backwards
    too_many = [bytes(32)] * (MAX_PROOF_LINES + 1)
    assert post(client, 0, too_many, signed(tree))[0] == 400
    assert client.get("/add-checkpoint").status_code == 405
    assert client.post("/add-checkpoint", content=b"x" * 70_000).status_code == 413


def test_going_backwards_after_growth_is_refused(client: TestClient) -> None:
    tree = leaves(10)
    assert post(client, 0, [], signed(tree))[0] == 200
    assert post(client, 10, [], signed(tree[:7]))[0] == 400
    assert post(client, 7, [], signed(tree[:7]))[:2] == (409, "10\n")


def test_the_state_survives_a_restart(tmp_path: Path) -> None:
    tree = leaves(6)
    state_dir = tmp_path / "state"
    first = Witness(WITNESS, [LOG.verifier_key()], state_dir)
    first.add_checkpoint(request_body(0, [], signed(tree[:2])))
    with pytest.raises(WitnessStateError, match="another witness"):
        Witness(WITNESS, [LOG.verifier_key()], state_dir)
    first.close()
    with Witness(WITNESS, [LOG.verifier_key()], state_dir) as second:
        state = second.state(ORIGIN)
        assert state is not None and state.size == 2
        with pytest.raises(SizeConflict) as conflict:
            second.add_checkpoint(request_body(0, [], signed(tree)))
        assert conflict.value.size == 2 and conflict.value.http_status == 409
        line = second.add_checkpoint(request_body(2, consistency_proof(2, 6, tree), signed(tree)))
        assert verify_cosignature(body_text(signed(tree)), line, second.verifier_key)


def test_a_corrupt_state_or_wrong_keys_stop_the_witness(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state_file(state_dir, ORIGIN).write_text('{"origin": "log.example/alcabala", "size": -1}')
    with pytest.raises(WitnessStateError, match="corrupt"):
        Witness(WITNESS, [LOG.verifier_key()], state_dir)
    with pytest.raises(ProofError):  # a witness's 0x04 key is not a log key
        Witness(WITNESS, [LOG.verifier_key(0x04)], tmp_path / "other")
    with pytest.raises(ProofError):
        Witness(WITNESS, [], tmp_path / "other")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_the_parser_raises_only_its_own_error_on_any_bytes(data: bytes) -> None:
    for body in (data, b"old 0\n" + data, b"old 3\n\n" + data):
        with contextlib.suppress(MalformedRequest):
            parse_request(body)


VALID = request_body(2, consistency_proof(2, 5, leaves(5)), signed(leaves(5)))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(VALID) - 1), st.binary(min_size=0, max_size=3))
def test_the_parser_on_mutated_requests(at: int, insert: bytes) -> None:
    try:
        parsed = parse_request(VALID[:at] + insert + VALID[at + 1 :])
    except MalformedRequest:
        return
    assert parsed.old_size >= 0 and len(parsed.proof) <= MAX_PROOF_LINES


def test_quorum_k_of_n() -> None:
    w1, w2, w3 = (Signer.generate(f"w{i}.example") for i in (1, 2, 3))
    vkeys = [w.verifier_key(0x04) for w in (w1, w2, w3)]
    note = signed(leaves(3))
    lines = [cosign(body_text(note), w, NOW) for w in (w1, w2)]
    full = note + "".join(lines)
    assert count_witnessed(full, vkeys, 1) and count_witnessed(full, vkeys, 2)
    assert not count_witnessed(full, vkeys, 3)
    assert not count_witnessed(note + lines[0] + lines[0], vkeys, 2)  # one witness, twice
    assert count_witnessed(full, [*vkeys, vkeys[0]], 2)  # a key listed twice counts once
    for quorum in (0, 4):
        with pytest.raises(ProofError):
            count_witnessed(full, vkeys, quorum)
    other = signed(leaves(4))
    with pytest.raises(ProofError):  # A's cosignature pasted on another checkpoint
        count_witnessed(other + lines[0], vkeys, 1)


def test_witnesses_and_quorum_from_settings() -> None:
    w1, w2 = (Signer.generate(f"w{i}.example").verifier_key(0x04) for i in (1, 2))
    env = {"ALCABALA_WITNESSES": f"http://127.0.0.1:9001/={w1}, https://w2.example/w={w2}"}
    policy = witness_policy(Settings.from_env(env))
    assert policy.witnesses == (("http://127.0.0.1:9001", w1), ("https://w2.example/w", w2))
    assert policy.quorum == 2  # 0, the default, means all
    settings_1 = Settings.from_env({**env, "ALCABALA_WITNESS_QUORUM": "1"})
    assert witness_policy(settings_1).quorum == 1
    for bad in ({**env, "ALCABALA_WITNESS_QUORUM": "3"}, {"ALCABALA_WITNESSES": "x"}):
        with pytest.raises(ValidationError) as error:
            Settings.from_env(bad)
        assert error.value.field in ("ALCABALA_WITNESSES", "ALCABALA_WITNESS_QUORUM")
    log_key = LOG.verifier_key()
    with pytest.raises(ValidationError, match="0x04"):
        witness_policy(Settings.from_env({"ALCABALA_WITNESSES": f"http://a.example={log_key}"}))
    assert Settings.from_env({"ALCABALA_LOG_ORIGIN": "a.example/x"}).log_origin == "a.example/x"
    with pytest.raises(ValidationError):
        Settings.from_env({"ALCABALA_LOG_ORIGIN": "a b"})


# Two real witness processes --------------------------------------------------------------

SPLIT = Signer.generate("split.example/log")


@dataclass
class Served:
    url: str
    vkey: str
    process: subprocess.Popen[bytes]
    home: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail((served.home / "out.log").read_text())
        try:
            urllib.request.urlopen(served.url + "/add-checkpoint", data=b"", timeout=2)
        except urllib.error.HTTPError as exc:
            if exc.code == 400:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"witness {served.url} did not start")


@pytest.fixture(scope="module")
def witnesses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Served]]:
    started: list[Served] = []
    try:
        for name in ("w1.example", "w2.example"):
            home = tmp_path_factory.mktemp(name)
            key = home / "witness.key"
            args = ["keys", "generate", "--witness", "--name", name, "--out", str(key)]
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.stderr
            port = _free_port()
            command = [sys.executable, "-m", "alcabala.cli.main", "witness", "serve"]
            command += ["--port", str(port), "--key", str(key), "--state", str(home / "state")]
            command += ["--log", SPLIT.verifier_key(), "--log", LOG.verifier_key()]
            with open(home / "out.log", "wb") as out:
                process = subprocess.Popen(
                    command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ}
                )
            served = Served(f"http://127.0.0.1:{port}", result.stdout.strip(), process, home)
            started.append(served)
        for served in started:
            _wait_until_up(served)
        yield started
    finally:
        for served in started:
            served.process.terminate()
            try:
                served.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                served.process.kill()
                served.process.wait()


def submit(url: str, old: int, proof: list[bytes], note_text: str) -> list[str]:
    return submit_checkpoint(url, old, proof, note_text, timeout=10)


def test_two_witnesses_refuse_a_split_view(witnesses: list[Served]) -> None:
    for served in witnesses:  # each prints its cosignature key first
        assert (served.home / "out.log").read_text().splitlines()[0] == served.vkey
    vkeys = [served.vkey for served in witnesses]
    origin = SPLIT.name
    history = leaves(5, b"a")
    a = signed(history, SPLIT, origin)
    cosigned_a = a + "".join(line for w in witnesses for line in submit(w.url, 0, [], a))
    assert count_witnessed(cosigned_a, vkeys, 2)

    fork = [*history[:2], *leaves(6, b"b")]  # 8 leaves: not an extension of A's 5
    b = signed(fork, SPLIT, origin)
    best = consistency_proof(5, 8, fork)  # the best the log can make: from its fork
    for served in witnesses:
        with pytest.raises(InconsistentProof):
            submit(served.url, 5, best, b)
        with pytest.raises(SizeConflict) as conflict:  # pretending the witness is new
            submit(served.url, 0, [], b)
        assert conflict.value.size == 5
        with pytest.raises(SizeConflict):  # the fork at A's own size
            submit(served.url, 5, [], signed(fork[:5], SPLIT, origin))
        record = json.loads(state_file(served.home / "state", origin).read_text())
        assert (record["size"], record["root"]) == (5, body_text(a).split("\n")[2])
        assert len(list((served.home / "state" / "evidence").iterdir())) == 2
    assert not count_witnessed(b, vkeys, 1)
    with pytest.raises(ProofError):  # nor can B borrow A's cosignatures
        count_witnessed(b + cosigned_a[len(a) :], vkeys, 1)

    grown = [*history, *leaves(3, b"c")]  # the honest extension of A is still accepted
    c = signed(grown, SPLIT, origin)
    proof = consistency_proof(5, 8, grown)
    cosigned_c = c + "".join(line for w in witnesses for line in submit(w.url, 5, proof, c))
    assert count_witnessed(cosigned_c, vkeys, 2)


def test_the_client_raises_one_error_per_status(witnesses: list[Served]) -> None:
    url = witnesses[0].url
    tree = leaves(4, b"client")
    with pytest.raises(BadSignature):
        submit_checkpoint(url, 0, [], signed(tree, IMPOSTOR))
    with pytest.raises(UnknownLog):
        submit_checkpoint(url, 0, [], signed(tree, STRANGER, STRANGER.name))
    with pytest.raises(MalformedRequest):
        submit_checkpoint(url, 9, [], signed(tree))
    assert submit_checkpoint(url, 0, [], signed(tree))[0].startswith("— w1.example ")
    with pytest.raises(SizeConflict) as conflict:
        submit_checkpoint(url, 0, [], signed(tree))
    assert conflict.value.size == 4
    with pytest.raises(WitnessUnavailable):
        submit_checkpoint(f"http://127.0.0.1:{_free_port()}", 0, [], signed(tree), timeout=2)
    with pytest.raises(ValidationError):
        submit_checkpoint("file:///etc/passwd", 0, [], signed(tree))
    assert issubclass(WitnessUnavailable, WitnessError)
