"""The words of certificates on the pages: statuses and the services' messages, marked
here so that they are extracted and translated (the services speak English)."""

from __future__ import annotations

from alcabala.web.i18n import N_

STATUSES = {
    "valid": N_("As issued"),
    "superseded": N_("Superseded: the vehicle's status changed after issue"),
    "unknown": N_("Not issued by this registry"),
}
MESSAGES = (
    N_(
        "This VIN and this plate are not registered together: check both against the "
        "vehicle and its title. No certificate was issued."
    ),
    N_("No certificate has this serial."),
    N_("Too many certificates asked for from your address; wait a while and try again."),
    N_(
        "This server has no log key yet, so it cannot sign; an administrator runs "
        "`alcabala keys generate`."
    ),
    N_("a certificate starts with AC1:"),
    N_("the certificate is not Base45"),
    N_("the certificate's compression is broken"),
    N_("the certificate is not signed with Ed25519"),
    N_("the certificate is signed by none of the keys given"),
    N_("the certificate's signature does not hold"),
    N_("the certificate's claims are not CBOR"),
    N_("the certificate's claims are not a map"),
    N_("the certificate is not a COSE_Sign1 message"),
)
