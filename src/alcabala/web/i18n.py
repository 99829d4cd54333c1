"""Languages of the console: Spanish by default, English on request.

Catalogs are the ``.po`` files under ``locale/``; they are compiled in memory at first use
(Babel's ``read_po`` + ``write_mo``), so no binary ``.mo`` file is kept in the repository.
The language of a request is, in order: ``?lang=`` (then kept in a cookie), the ``lang``
cookie, the browser's ``Accept-Language``, Spanish.

Python code marks strings with :func:`N_` (extracted, translated later) and translates with
the request's :class:`Translator`; templates use ``_()`` and ``{% trans %}``.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("es", "en")
DEFAULT_LOCALE = "es"
LANG_COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of ``locale`` (NullTranslations if it has none)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    """The translation functions of one language."""

    locale: str

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.locale).gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = translations(self.locale).ngettext(singular, plural, n)
        return text % {"num": n, **values}


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str) -> str:
    """The language for a request (see the module docstring for the order)."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LOCALES:
            return candidate
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LOCALES and quality > 0:
            weighted.append((-quality, position, primary))
    return min(weighted)[2] if weighted else DEFAULT_LOCALE


# The translator of the template being rendered (set by ``render`` around each render).
current: contextvars.ContextVar[Translator | None] = contextvars.ContextVar(
    "alcabala_translator", default=None
)


def _locale() -> str:
    translator = current.get()
    return translator.locale if translator is not None else DEFAULT_LOCALE


def template_gettext(message: str) -> str:
    return translations(_locale()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale()).ngettext(singular, plural, n)
