"""Plain-language words for the codes of a verdict (translated where they are shown)."""

from __future__ import annotations

from alcabala.web.i18n import N_

VERDICTS = {
    "clear": (N_("CLEAR"), N_("Nothing on record. The driver may continue.")),
    "irregular": (
        N_("IRREGULAR"),
        N_("Something does not add up. Inspect the vehicle and its papers before deciding."),
    ),
    "hit": (
        N_("HIT"),
        N_("A record matches. Do not release; wait for the owning agency to confirm."),
    ),
}

IRREGULARITIES = {
    "vin_check_digit": N_(
        "The VIN's check digit is wrong: the VIN may have been mistyped or altered."
    ),
    "vin_year_mismatch": N_(
        "The year encoded in the VIN does not match the declared year of the vehicle."
    ),
    "plate_vin_mismatch": N_(
        "This plate is registered to a different vehicle than this VIN: a possible plate swap."
    ),
    "engine_vin_mismatch": N_(
        "The engine number does not belong to this VIN: the engine may come from another vehicle."
    ),
    "retired_vehicle": N_(
        "This VIN or engine number belongs to a scrapped, dismantled or exported vehicle: "
        "a possible clone."
    ),
    "permit_missing": N_("Livestock is carried without a transit permit (guía) on record."),
    "permit_expired": N_("The transit permit is expired, used or cancelled."),
    "permit_vehicle_mismatch": N_("The transit permit was issued for another vehicle."),
    "head_count_exceeds_permit": N_("More animals are carried than the permit allows."),
    "brand_not_on_permit": N_("A brand on the animals is not on the permit."),
    "ear_tag_not_on_permit": N_("An ear tag on the animals is not on the permit."),
}

CATEGORIES = {
    "stolen_vehicle": N_("Stolen vehicle"),
    "wanted_person": N_("Wanted person"),
    "stolen_livestock": N_("Stolen livestock"),
}

MATCHED_ON = {
    "vin": N_("VIN"),
    "plate": N_("plate"),
    "plate~ocr": N_("look-alike plate (possible misread)"),
    "engine_number": N_("engine number"),
    "national_id": N_("national ID"),
    "ear_tag": N_("ear tag"),
    "brand": N_("brand"),
}

CERTAINTY = {"certain": N_("certain"), "possible": N_("possible")}

HIT_STATUS = {
    "pending": N_("awaiting confirmation"),
    "confirmed": N_("confirmed"),
    "denied": N_("denied"),
    "timed_out": N_("not answered in time"),
    "record_inactive": N_("closed: the record is no longer in force"),
}

HIT_ADVICE = {
    "confirmed": N_("The owning agency confirmed the record: act on it."),
    "denied": N_("The owning agency says this record does not apply."),
    "timed_out": N_("No answer before the deadline: do not detain on this record alone."),
    "record_inactive": N_("The record left force after the stop: do not detain on it."),
}

# The kinds of records a hit can match, and their current state as the hit shows it.
RECORD_KINDS = {
    "warrant": N_("warrant"),
    "stolen_vehicle_report": N_("stolen-vehicle report"),
    "livestock_theft_report": N_("livestock theft report"),
}
RECORD_STATE = {
    "active": N_("in force"),
    "executed": N_("executed"),
    "recovered": N_("recovered"),
    "returned": N_("returned"),
    "cancelled": N_("cancelled"),
    "expired": N_("expired"),
    "missing": N_("no longer on record"),
    "unknown": N_("unknown"),
}

REPORT_STATUS = {
    "active": N_("active"),
    "recovered": N_("recovered"),
    "returned": N_("returned"),
    "cancelled": N_("cancelled"),
    "executed": N_("executed"),
    "expired": N_("expired"),
    "issued": N_("issued"),
    "used": N_("used"),
}

# Fields of a hit's record shown to the officer, in this order, with their labels.
RECORD_FIELDS = (
    ("number", N_("Record")),
    ("agency", N_("Agency")),
    ("plate", N_("Plate")),
    ("vin", N_("VIN")),
    ("engine_number", N_("Engine number")),
    ("make", N_("Make")),
    ("model", N_("Model")),
    ("colour", N_("Colour")),
    ("year", N_("Year")),
    ("national_id", N_("National ID")),
    ("offence", N_("Offence")),
    ("court", N_("Court")),
    ("brand", N_("Brand")),
    ("species", N_("Species")),
    ("head_count", N_("Head")),
)

SPECIES = {
    "bovine": N_("cattle"),
    "buffalo": N_("buffalo"),
    "porcine": N_("pigs"),
    "ovine": N_("sheep"),
    "caprine": N_("goats"),
    "equine": N_("horses"),
}

# Messages of the domain's errors that users meet most, so that the catalogs translate them
# when a form shows them next to their field (messages with values in them stay in English).
DOMAIN_MESSAGES = (
    N_(
        "A Venezuelan cédula is V or E and 1 to 8 digits (V-12.345.678); "
        "a RIF is V, E, J, G, P or C, 8 digits and a check digit (J-12345678-9)."
    ),
    N_("A cédula number cannot be zero."),
    N_("A check needs at least a plate, a VIN, an engine number, a person or livestock."),
    N_("A plate has letters and digits only."),
    N_("A reason is required to make it cancelled."),
    N_("A livestock theft report needs a brand or at least one ear tag."),
    N_("A vehicle is owned by a person or by an agency, not both."),
    N_("No VIN was given."),
    N_("No plate was given."),
    N_("No engine number was given."),
    N_("No identity number was given."),
    N_("This VIN could not be read."),
    N_("This plate could not be read."),
    N_("This engine number could not be read."),
    N_("This ear-tag number could not be read."),
    N_("This identity number could not be read."),
    N_("This is a placeholder, not an engine number."),
    N_("The destination premises must differ from the origin."),
    N_("The record was changed by someone else meanwhile; reload it and try again."),
    N_("Only the agency that owns the matched record can answer this hit."),
    N_("Too many lookups from your address; wait a minute and try again."),
    N_("Enter a plate (e.g. AB123CD) or a 17-character VIN."),
    N_("Say why you are looking this up (a case number, the stop, a complaint...)."),
    N_("A reason is required to make it denied."),
)
