"""The words of complaints on the console: categories, subjects, statuses and note kinds,
and the services' messages, marked here so that they are extracted and translated."""

from __future__ import annotations

from collections.abc import Callable

from alcabala.web.i18n import N_, Translator

CATEGORIES = {
    "bribe": N_("Bribe asked for"),
    "extortion": N_("Extortion"),
    "mistreatment": N_("Mistreatment"),
    "seizure_without_receipt": N_("Seizure without a receipt"),
    "unjustified_detention": N_("Unjustified detention"),
    "other": N_("Other"),
}
SUBJECTS = {
    "stop": N_("A stop (I have its receipt)"),
    "checkpoint": N_("A checkpoint"),
    "agency": N_("An agency"),
    "officer": N_("An officer"),
}
STATUSES = {
    "received": N_("Received"),
    "under_review": N_("Under review"),
    "resolved": N_("Resolved"),
    "dismissed": N_("Dismissed"),
}
NOTE_KINDS = {
    "note": N_("Note from oversight"),
    "answer": N_("Answer of the agency"),
    "information": N_("Added by the complainant"),
}
#: What :mod:`alcabala.complaints` says when it refuses, shown translated next to the field.
SERVICE_MESSAGES = (
    N_("No stop has this receipt code; check it, or complain about the checkpoint."),
    N_("Say which checkpoint."),
    N_("No checkpoint has this code."),
    N_("No agency has this code."),
    N_("Say which agency."),
    N_("Describe the officer: name or badge number."),
    N_(
        "You filed this same complaint less than an hour ago; its code is on the receipt you "
        "got then."
    ),
    N_("No complaint has this code and secret."),
    N_("No complaint has this code."),
    N_("Too many complaints from your address; wait a while and try again."),
    N_("Only oversight moves a complaint; the agency complained about can answer it."),
    N_("This complaint is about your own agency: another oversight body handles it."),
    N_("Only oversight, auditors and the agency complained about see a complaint."),
    N_("A reason is required to make it under_review."),
    N_("A reason is required to make it resolved."),
    N_("A reason is required to make it dismissed."),
    N_("At most 3 photos."),
    N_("A photo is at most 2 MiB."),
    N_("a photo is image/jpeg or image/png"),
)
_LABELS = {"category": CATEGORIES, "status": STATUSES, "subject_kind": SUBJECTS}


def label_of(t: Translator) -> Callable[[str, str], str]:
    """``label(dimension, value)``: the translated word for a category, status or subject;
    codes (checkpoints, agencies, months) as they are."""

    def label(dimension: str, value: str) -> str:
        words = _LABELS.get(dimension, {})
        return t.gettext(words[value]) if value in words else value

    return label
