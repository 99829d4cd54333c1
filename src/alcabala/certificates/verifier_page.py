"""The offline verifier: one HTML file that checks certificates in the browser, no network.

What: :func:`offline_page` returns a complete HTML document with the log's Ed25519 public
keys embedded (as JSON, by note key ID) and its own script (``verifier.js``): Base45, inflate
through ``DecompressionStream``, a small CBOR decoder, the COSE ``Sig_structure`` and
WebCrypto's Ed25519. It loads nothing: no script, style, font or image from anywhere. A
buyer saves it on a phone once and, at the seller's door with no signal, pastes what the
camera read off the QR code.

Why in the page and not an app: a saved web page works on any phone with a current
browser, and what it trusts (the keys) is visible in its source. What it cannot know —
a stolen report filed after issue — it says, pointing to the online ``/verificar``.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import jinja2
from markupsafe import Markup

from alcabala.ledger.errors import KeyFormatError
from alcabala.ledger.keys import ED25519, Verifier, b64encode

_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verificar un certificado de vehículo (sin conexión)</title>
<style>
body { font: 17px/1.45 system-ui, sans-serif; margin: 0; padding: 1rem; color: #111;
  max-width: 40rem; }
h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
textarea { width: 100%; box-sizing: border-box; font: 14px monospace; min-height: 8rem; }
button { font-size: 1.1rem; padding: .8rem 1.2rem; width: 100%; margin: .6rem 0; border: 0;
  border-radius: 6px; background: #0b5394; color: #fff; }
#result[data-valid=true] #status { background: #17803d; }
#result[data-valid=false] #status { background: #b3261e; }
#status { color: #fff; font-size: 1.5rem; font-weight: 700; padding: .6rem; border-radius: 6px; }
#expired { background: #b3261e; color: #fff; font-weight: 700; padding: .4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; }
dt { font-weight: 600; color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
.small { font-size: .85rem; color: #555; }
@media print { button, textarea { display: none; } }
</style>
</head>
<body>
<h1>Verificar un certificado de vehículo</h1>
<p>Pegue el texto del certificado (empieza con AC1:) o lo que leyó la cámara en su código QR.
Esta página funciona sin conexión.</p>
<label for="text">Certificado</label>
<textarea id="text" spellcheck="false" autocapitalize="characters"></textarea>
<button type="button" id="verify">Verificar</button>
<section id="result" hidden data-valid="">
  <p id="status"></p>
  <p id="reason"></p>
  <p id="expired" hidden>VENCIDO</p>
  <dl>
    <dt>Serial</dt><dd id="serial"></dd>
    <dt>VIN</dt><dd id="vin"></dd>
    <dt>Placa</dt><dd id="plate"></dd>
    <dt>Registrado como</dt><dd id="vehicle"></dd>
    <dt>Robo</dt><dd id="stolen"></dd>
    <dt>Desincorporado</dt><dd id="retired"></dd>
    <dt>Seriales</dt><dd id="consistent"></dd>
    <dt>Alertas de clonación</dt><dd id="clone"></dd>
    <dt>Emitido</dt><dd id="issued"></dd>
    <dt>Vence</dt><dd id="expires"></dd>
    <dt>Conclusión</dt><dd id="verdict"></dd>
  </dl>
</section>
<p class="small">Sin conexión no se puede saber si la situación del vehículo cambió después de
emitido el certificado. Verifíquelo en línea en {{ issuer }}/verificar antes de pagar.</p>
<p class="small">Claves de esta página{% if saved %} (guardada el {{ saved }}){% endif %}:
{% for key in keys %}<br><code>{{ key.name }} {{ key.kid }}</code>{% endfor %}</p>
<script type="application/json" id="keys">{{ keys_json }}</script>
<script>{{ script }}</script>
</body>
</html>
"""
)


def _keys(vkeys: list[str]) -> list[dict[str, str]]:
    found = []
    for vkey in vkeys:
        try:
            verifier = Verifier.parse(vkey)
        except KeyFormatError:
            continue
        if verifier.sig_type == ED25519:
            found.append(
                {
                    "name": verifier.name,
                    "kid": verifier.key_id.hex(),
                    "pub": b64encode(verifier.public_key),
                }
            )
    return found


def script() -> str:
    """The verifier's JavaScript, as inlined in the page."""
    return resources.files("alcabala.certificates").joinpath("verifier.js").read_text("utf-8")


def offline_page(vkeys: list[str], *, issuer: str, now: dt.datetime | None = None) -> str:
    """The self-contained verifier page for the Ed25519 keys among ``vkeys``."""
    keys = _keys(vkeys)
    # JSON inside <script>: "<" escaped so that no key name can close the element.
    keys_json = json.dumps(keys).replace("<", "\\u003c")
    return _TEMPLATE.render(
        keys=keys,
        keys_json=Markup(keys_json),
        script=Markup(script()),
        issuer=issuer,
        saved=f"{now:%Y-%m-%d}" if now else "",
    )
