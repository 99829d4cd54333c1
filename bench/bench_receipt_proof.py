"""Benchmark: verifying a receipt proof offline, and its size.

A realistic receipt proof is built — a check record with a plate, a VIN and one
irregularity (:func:`alcabala.checks.logged.check_record`), its entry as ``append``
stores it (random salt), a log of ``--size`` entries (default 10,000,000: 24 proof
hashes; the tree is synthetic, its root folded from random sibling hashes), a
28-character origin and ``--witnesses`` cosignatures (default 1) — then
:func:`alcabala.ledger.proof.verify_receipt_proof` is timed over ``--runs`` runs
(default 2,000) with the log's key and every witness's key, as
``alcabala log verify-proof`` does. It prints p50, p99 and the maximum in milliseconds,
and the proof's size in bytes. The budget (issue 11): verifying takes at most 10 ms, and
the proof is at most 2 KiB with one witness.

    .venv/bin/python bench/bench_receipt_proof.py [--runs 2000] [--size 10000000]
        [--witnesses 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import secrets
import statistics
import time

from alcabala.checks.logged import check_record
from alcabala.ledger import merkle
from alcabala.ledger.checkpoint import Checkpoint
from alcabala.ledger.cosignature import cosign, witness_verifier_key
from alcabala.ledger.entries import entry_for
from alcabala.ledger.keys import Signer
from alcabala.ledger.merkle import node_hash
from alcabala.ledger.proof import build_receipt_proof, verify_receipt_proof

ORIGIN = "registro.alcabala.gob.ve/log"


def fold(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """The root the inclusion ``path`` leads ``leaf`` to (RFC 9162 §2.1.3.2)."""
    fn, sn, node = index, size - 1, leaf
    for p in path:
        if fn & 1 or fn == sn:
            node = node_hash(p, node)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, p)
        fn, sn = fn >> 1, sn >> 1
    return node


def path_length(index: int, size: int) -> int:
    """How many hashes RFC 9162's ``PATH(index, D[0:size])`` has."""
    lo, hi, count = 0, size, 0
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if index - lo < k:
            hi = lo + k
        else:
            lo += k
        count += 1
    return count


def build(size: int, witnesses: int) -> tuple[str, str, list[str]]:
    """A receipt proof in a log of ``size``, its log vkey and its witnesses' vkeys."""
    at = dt.datetime(2026, 5, 1, 12, 3, 4, 123456, tzinfo=dt.UTC)
    record = check_record(
        receipt="7K2QX-M9D4B",
        check_id="3f1c2b9e-8a1d-4c6e-9b2f-0d5e6a7b8c9d",
        checkpoint="GUA-ALDAO",
        at=at,
        plate="AB123CD",
        plate_country="VE",
        vin="1M8GDM9AXKP042788",
        verdict="irregular",
        irregularities=[{"code": "plate_vin_mismatch"}],
        offline=False,
        national_ids=["V12345678", "V7654321"],
    )
    entry, salt = entry_for("check", "GNB", at, record)
    index = size * 2 // 5  # an entry in the big left subtree: a proof of ⌈log2 size⌉ hashes
    path = [secrets.token_bytes(32) for _ in range(path_length(index, size))]
    root = fold(merkle.leaf_hash(entry), index, size, path)
    log = Signer.generate(ORIGIN)
    cosigners = [Signer.generate(f"testigo{n}.example.org") for n in range(witnesses)]
    body = Checkpoint(ORIGIN, size, root)
    now = int(time.time())
    note = body.sign([log]) + "".join(cosign(body.body(), w, now) for w in cosigners)
    text = build_receipt_proof(
        entry=entry, salt=salt, record=record, index=index, proof=path, checkpoint=note
    )
    return text, log.verifier_key(), [witness_verifier_key(w) for w in cosigners]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--witnesses", type=int, default=1)
    args = parser.parse_args()
    text, vkey, wkeys = build(args.size, args.witnesses)
    for _ in range(20):  # warm up (imports, caches)
        verify_receipt_proof(text, [vkey], wkeys)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        verify_receipt_proof(text, [vkey], wkeys)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)]
    hashes = text.split("\n\n")[0].count("\n") - 2
    print(f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs")
    print(f"log size {args.size:,}, {hashes} proof hashes, {args.witnesses} witness(es)")
    print(f"proof size: {len(text.encode('utf-8'))} bytes")
    print(
        f"verify: p50 {statistics.median(times):.3f} ms, p99 {p99:.3f} ms, max {times[-1]:.3f} ms"
    )


if __name__ == "__main__":
    main()
