"""Destructive actions ask once for confirmation, and the server enforces it.

A destructive form (execute or cancel a warrant, cancel a theft report or a permit, retire a
vehicle, deny a hit) carries ``data-confirm="<question>"`` and a hidden ``confirmed`` field.
``static/app.js`` asks the question with ``confirm()`` and, if the user agrees, sets
``confirmed=1`` before the form leaves. The server never relies on the script: a post without
``confirmed=1`` changes nothing and gets a confirmation step instead (the same question, and
a form re-posting the same fields with ``confirmed=1``), answered 422 with
``X-Alcabala-Error: confirmation_required``. So the question is asked exactly once, with or
without JavaScript.
"""

from __future__ import annotations

from starlette.datastructures import FormData

from alcabala.web.i18n import N_, Translator

FIELD = "confirmed"
CODE = "confirmation_required"
QUESTIONS = {
    "cancel_report": N_(
        "Cancel the theft report %(what)s? The vehicle leaves the hotlist at once."
    ),
    "retire_vehicle": N_(
        "Retire the vehicle %(what)s? From now on its VIN and engine number count as dead; "
        "this cannot be undone."
    ),
    "execute_warrant": N_(
        "Mark the warrant %(what)s as executed (the person was arrested)? "
        "It leaves the hotlist at once."
    ),
    "cancel_warrant": N_("Cancel the warrant %(what)s? It leaves the hotlist at once."),
    "cancel_permit": N_("Cancel the transit permit %(what)s? It can no longer be used."),
    "cancel_theft": N_(
        "Cancel the livestock theft report %(what)s? It leaves the hotlist at once."
    ),
    "deny_hit": N_(
        "Deny the hit on %(what)s? The officer is told that this record does not apply."
    ),
}


def question(t: Translator, kind: str, what: str) -> str:
    """The question asked before the action ``kind`` on ``what`` (a number or a VIN)."""
    return t.gettext(QUESTIONS[kind], what=what)


def confirmed(form: FormData) -> bool:
    """Whether the user confirmed (the script or the confirmation step set ``confirmed=1``)."""
    return form.get(FIELD) == "1"


def carried(form: FormData) -> list[tuple[str, str]]:
    """The fields of ``form`` to re-post from the confirmation step (token and flag aside)."""
    return [
        (k, v)
        for k, v in form.multi_items()
        if isinstance(v, str) and k not in (FIELD, "csrf_token")
    ]
