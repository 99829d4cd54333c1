"""The offline verifier page as a file: self-contained, only Ed25519 keys, nothing in a key
name can close its script element (the page itself is exercised in Chromium by
tests/web/test_certificate_browser.py)."""

from __future__ import annotations

import json
import re

from alcabala.certificates.verifier_page import offline_page
from alcabala.ledger.cosignature import witness_verifier_key
from alcabala.ledger.keys import Signer

LOG = Signer.generate("registro.example/alcabala")


def _keys(html: str) -> list[dict[str, str]]:
    match = re.search(r'<script type="application/json" id="keys">(.*?)</script>', html, re.S)
    assert match
    keys: list[dict[str, str]] = json.loads(match.group(1))
    return keys


def test_the_page_embeds_the_log_keys_and_loads_nothing() -> None:
    old = Signer.generate("registro.example/alcabala")
    witness = Signer.generate("testigo.example")
    html = offline_page(
        [LOG.verifier_key(), old.verifier_key(), witness_verifier_key(witness), "junk"],
        issuer="https://registro.example",
    )
    keys = _keys(html)
    assert [k["kid"] for k in keys] == [LOG.key_id().hex(), old.key_id().hex()]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "https://registro.example/verificar" in html
    assert html.count("<script>") == 1  # the verifier itself, inline


def test_a_key_name_cannot_close_the_script() -> None:
    hostile = Signer.generate("x</script><script>alert(1)")
    html = offline_page([hostile.verifier_key()], issuer="https://r.example")
    assert _keys(html)[0]["name"] == "x</script><script>alert(1)"
    assert "<script>alert(1)" not in html
