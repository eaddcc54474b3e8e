"""Countries and languages by their codes, named in the reader's language (CLDR, through Babel): the
referral directory takes a provider's countries as ISO 3166 codes and shows them by name, and the letter
page says why a referral was chosen ("works in the United Kingdom") in the member's own words."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

# CLDR names groups (EU, UN), pseudo-locales (XA, XB), the unknown region (ZZ) and codes ISO 3166 only
# reserves (Ascension's AC, the Canaries' IC …) beside the countries; none is a country a firm works in.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of the countries (and territories) CLDR names."""
    return frozenset(
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isascii() and code.isalpha() and code not in NOT_COUNTRIES
    )


def _locale(lang: str | None) -> Locale:
    try:
        return Locale.parse((lang or get_language() or "en").replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def country_name(code: str, lang: str | None = None) -> str:
    """ "PL" as the reader writes it — Poland, Polska, Польша, פולין; the code itself when unknown."""
    code = (code or "").strip().upper()
    return _locale(lang).territories.get(code, code) if code in country_codes() else code


def language_name(code: str, lang: str | None = None) -> str:
    """ "pl" as the reader writes it — Polish, polski, польский, פולנית; the code itself when unknown."""
    code = (code or "").strip()
    return _locale(lang).languages.get(code.lower(), code) if code else ""
