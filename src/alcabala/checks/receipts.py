"""Receipt codes for drivers: short, random, unambiguous when read aloud or copied by hand.

Ten characters of Crockford's base32 (no I, L, O, U), shown as two groups of five: about
50 bits, so a code cannot be guessed to peek at someone else's stop.
"""

from __future__ import annotations

import base64
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
# RFC 4648 base32 (what the standard library encodes) to Crockford's, letter for letter.
_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)


def new_receipt() -> str:
    """A fresh code: 50 random bits (the first ten base32 characters of seven random bytes),
    written in Crockford's alphabet. One encode and one translate: every check draws one."""
    raw = base64.b32encode(secrets.token_bytes(7))[:10].decode("ascii").translate(_CROCKFORD)
    return f"{raw[:5]}-{raw[5:]}"


def normalize_receipt(code: str) -> str | None:
    """The canonical form of a typed receipt code, or None if it cannot be one."""
    raw = code.strip().upper().translate(_DECODE)
    if len(raw) != 10 or any(c not in ALPHABET for c in raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"


def normalize_prefixed(code: str, prefix: str) -> str | None:
    """The canonical form of a typed code made of one letter, a dash and a receipt (a
    complaint's ``D-7K2QX-M9D4B``, a certificate's ``C-…``), or None if it cannot be one.
    The letter may be left out, and dashes and spaces may be anywhere."""
    letter = prefix.rstrip("-")
    raw = "".join(c for c in code.upper() if c not in "- ")
    if len(raw) == 11 and raw[0] == letter:
        raw = raw[1:]
    normalized = normalize_receipt(raw)
    return f"{letter}-{normalized}" if normalized else None
