"""Languages of the console: Spanish by default, English on request, complete catalogs."""

from __future__ import annotations

from typing import Any


def test_languages(pages: Any) -> None:
    spanish = pages.client()
    assert "¿Es robado?" in spanish.get("/").text
    english = pages.client(**{"Accept-Language": "en-US,en;q=0.9,es;q=0.5"})
    assert "Is it stolen?" in english.get("/").text
    switched = english.get("/?lang=es")
    assert "¿Es robado?" in switched.text and "lang=es" in switched.headers["set-cookie"]
    assert "¿Es robado?" in english.get("/lookup").text  # the cookie is kept
    assert 'lang="es"' in english.get("/").text
    assert 'href="/lookup?q=AB123CD&amp;lang=en"' in english.get("/lookup?q=AB123CD").text


def test_catalogs_are_complete() -> None:
    from babel.messages.pofile import read_po

    from alcabala.web.i18n import LOCALE_DIR

    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        spanish = {m.id: m.string for m in read_po(f, locale="es") if m.id}
    assert template <= set(spanish), "strings missing from the Spanish catalog"
    untranslated = [k for k, v in spanish.items() if not (all(v) if isinstance(v, tuple) else v)]
    assert untranslated == []


def test_irregularity_codes_have_explanations() -> None:
    from alcabala.checks.verdict import IRREGULARITY_CODES
    from alcabala.web.explain import IRREGULARITIES
    from alcabala.web.i18n import Translator

    assert set(IRREGULARITY_CODES) <= set(IRREGULARITIES)
    for code in IRREGULARITY_CODES:
        assert Translator("es").gettext(IRREGULARITIES[code]) != IRREGULARITIES[code]


def test_template_is_up_to_date() -> None:
    """Every message in the code and templates is in ``messages.pot`` (run the extraction in
    ``src/alcabala/web/locale/README.md`` after changing texts)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    from alcabala.web.i18n import LOCALE_DIR

    web = LOCALE_DIR.parent
    with (web / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(web), method_map, options_map, keywords=keywords
    ):
        found.add(message)
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert len(found) > 200
    assert found - template == set(), "messages missing from messages.pot"
