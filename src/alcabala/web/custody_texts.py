"""The words of custody on the pages: kinds, states and the services' messages, marked
here so that they are extracted and translated (the services speak English)."""

from __future__ import annotations

from alcabala.web.i18n import N_

ITEM_KINDS = {
    "drugs": N_("Drugs"),
    "cargo": N_("Cargo"),
    "cash": N_("Cash"),
    "weapon": N_("Weapon"),
    "vehicle": N_("Vehicle"),
    "livestock": N_("Livestock"),
    "other": N_("Other"),
}
ITEM_STATUSES = {
    "held": N_("In custody"),
    "released": N_("Released"),
    "disposed": N_("Disposed of"),
    "missing": N_("Missing"),
}
SEAL_STATES = {
    "intact": N_("Intact"),
    "broken": N_("Broken"),
    "replaced": N_("Replaced"),
    "absent": N_("Absent"),
}
OUTCOMES = {
    "owner": N_("Released to the owner"),
    "court": N_("Released to a court"),
    "destruction": N_("Destroyed"),
    "disposal": N_("Disposed of"),
}
DIFFERENCES = {
    "missing": N_("Not found"),
    "quantity": N_("Quantity differs"),
    "weight": N_("Weight differs"),
    "seal": N_("Seal not intact"),
    "elsewhere": N_("Recorded elsewhere"),
    "unrecorded": N_("No record of it"),
    "not_in_custody": N_("Recorded as out of custody"),
    "engine": N_("Engine"),
    "wheels": N_("Wheels"),
    "battery": N_("Battery"),
    "radio": N_("Radio"),
    "cargo": N_("Cargo"),
}
DETENTION_STATUSES = {
    "justified": N_("Justified by a confirmed hit"),
    "awaiting_approval": N_("Awaiting a supervisor's approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected: to be released"),
}
MESSAGES = (
    N_("No seizure has this code."),
    N_("Only a custodian or a supervisor releases or disposes of items."),
    N_("A release to a court names the court order."),
    N_("Disposal or destruction needs the court order that authorizes it."),
    N_("Disposal or destruction needs a witness: name and ID."),
    N_("The witness must be someone else."),
    N_("Only the seizing agency, the items' holders, oversight and auditors see a seizure."),
    N_("Only oversight, auditors, supervisors and custodians see this."),
    N_("No release or disposal has this number."),
    N_("an amount is a number such as 12 or 12.5"),
    N_("an amount is a number from 0 to 999,999,999"),
    N_("an amount has at most 3 decimal places"),
    N_("drugs are weighed: give weight_kg"),
    N_("cash is counted by currency: give currency (VES, USD...)"),
    N_("a weapon is identified by its serial: give serial"),
    N_("a vehicle is identified by its VIN: give vin"),
    N_("livestock is counted: give ear_tags or quantity (head)"),
    N_("A detention without a confirmed hit needs the reason, for a supervisor to approve."),
    N_("Items go to an officer, a supervisor or a custodian."),
    N_("You already hold these items."),
    N_("No active user has this username."),
    N_("No storage location has this code."),
    N_("Only the receiver confirms a transfer, signed in as themselves."),
    N_("A seal is not intact: say what you saw in the note."),
    N_("Only the sender or the receiver answers a transfer."),
    N_("Only officers and supervisors of an agency seize."),
)
