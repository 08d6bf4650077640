"""Country names, one spelling for the form, the reports and the exports.

Why common names ("Laos", "Vietnam", "South Korea") rather than the ISO 3166 names ("Lao
People's Democratic Republic", "Korea, Republic of"): they are what participants look for
in the list and what readers expect in a table, and a report must name a country the same
way in every block, or two tables of one distribution would seem to differ.
"""

from __future__ import annotations

from functools import cache

import pycountry


def country_name(code: str) -> str:
    """The common English name of an ISO 3166-1 alpha-2 code (the code itself if unknown)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@cache
def country_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) for every ISO 3166-1 country, by name."""
    return tuple(
        sorted(
            ((str(c.alpha_2), country_name(c.alpha_2)) for c in pycountry.countries),
            key=lambda item: item[1],
        )
    )
