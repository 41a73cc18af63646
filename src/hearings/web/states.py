"""U.S. states and territories by name and postal code, so "New York" and "NY" find the same
members."""

from __future__ import annotations

import re

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
_BY_NAME = {name.lower(): (name, code) for code, name in STATES.items()}
# Longest names first, so "West Virginia" is not read as "Virginia".
_NAMES = sorted(_BY_NAME, key=len, reverse=True)


def state_in(query: str) -> tuple[tuple[str, str] | None, str]:
    """((name, code), the rest of the query) for the first state named in `query`, by its name
    in any case or its postal code in capitals ("NY", not "ny", which may be part of a name)."""
    lowered = query.lower()
    for name in _NAMES:
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", lowered)
        if match:
            rest = query[: match.start()] + " " + query[match.end() :]
            return _BY_NAME[name], " ".join(rest.split())
    for match in re.finditer(r"(?<!\w)[A-Z]{2}(?!\w)", query):
        code = match.group(0)
        if code in STATES:
            rest = query[: match.start()] + " " + query[match.end() :]
            return (STATES[code], code), " ".join(rest.split())
    return None, query
