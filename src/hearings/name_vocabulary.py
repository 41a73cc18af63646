"""The words of a witness name that are not the name: titles, ranks, generational suffixes and
credentials, compared lowercased with periods removed ("Lt." -> "lt")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hearings.name_text import alnum_key, word_key


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Titles that are never a given name: stripped while at least one name word remains.
TITLES = _vocabulary(
    """
    mr mrs ms miss mx messrs dr doctor prof professor hon honorable honourable rev revd reverend
    fr rabbi imam sen senator rep representative congressman congresswoman del delegate gov
    governor amb ambassador sec secretary commissioner mayor sheriff
    gen general lt lieutenant adm admiral radm vadm rear vice brig brigadier col colonel maj capt
    captain cdr cmdr lcdr commander sgt sergeant cpl corporal pvt spc ens ensign cwo wo msgt smsgt
    cmsgt csm sgm cpo scpo mcpo mcpon sma petty officer warrant command staff
    ltg ltgen lieutgen majgen bgen briggen ltc ltcol cpt ltjg sfc ssg tsgt ssgt sra
    """
)
# Army ranks written in capitals, which lowercase could be a person's initials ("M.G. Smith").
CAPITAL_RANKS = frozenset({"MG", "BG", "COL", "GEN", "MAJ", "CPT", "1LT", "2LT", "CW2", "CW3"})
# Words that belong to the title that follows them ("Former Ambassador", "Police Chief",
# "Attorney General", "Deputy Assistant Secretary"): stripped only when a title comes next.
TITLE_MODIFIERS = _vocabulary(
    """
    former acting deputy assistant associate under principal interim senior retired
    police fire county district state tribal attorney surgeon inspector solicitor postmaster
    adjutant
    """
)
# Words that continue the rank before them: "Gen. (Ret.) David Petraeus", "Rear Admiral (Lower
# Half) Tom Smith", "Ms. Rear Admiral Upper Half Mark Montgomery".
AFTER_RANK = _vocabulary("ret retired")
RANK_HALVES = (("upper", "half"), ("lower", "half"))
# Titles that are also given names (Major Owens, Judge Glock, and "The Honorable Chief Allen",
# whose given name is Chief): stripped only while a first and a last name remain.
AMBIGUOUS_TITLES = _vocabulary("chief major judge justice master bishop father pastor")
# The courtesy prefixes the House witness system adds; ranks, by contrast, are part of its name
# fields and show up in document file names ("...-GeneralTomLandwermeyerB-...").
COURTESY = _vocabulary("mr mrs ms miss mx dr prof professor hon honorable the rev reverend")

GENERATIONAL = {
    "jr": "jr",
    "junior": "jr",
    "sr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
}
# Degrees, credentials and service branches. Only these are stripped from the end of a name
# without a comma; short ones like "DO" or "MA" could be surnames and need the comma.
POSTNOMINAL_SAFE = _vocabulary(
    """
    phd md jd esq esquire cpa dds dmd dvm mph mba rn edd psyd pharmd dnp llm ret retired
    usa usaf usn usmc uscg ussf usar usnr usafr ang arng facs facp faap facc faan
    """
)
POSTNOMINAL_AFTER_COMMA = POSTNOMINAL_SAFE | _vocabulary(
    "do ma ms ba bs pa np pe msw lcsw mpa mpp scd dsc llb cfa cfp cissp aicp obe cbe kbe"
)

_PHRASE_BREAK = re.compile(r"[\s()]+")
_CAPS_CREDENTIAL = re.compile(r"[A-Z][A-Z.&-]{1,7}")


def is_postnominal(phrase: str, *, after_comma: bool) -> bool:
    words = [w for w in _PHRASE_BREAK.split(phrase) if w]
    if not words:
        return False
    known = POSTNOMINAL_AFTER_COMMA if after_comma else POSTNOMINAL_SAFE
    for word in words:
        key = alnum_key(word)
        if key in GENERATIONAL or key in known:
            continue
        # Unknown credentials after a comma are short all-caps tokens ("RDN", "CHES").
        if after_comma and _CAPS_CREDENTIAL.fullmatch(word):
            continue
        return False
    return True


def is_title(word: str) -> bool:
    key = word_key(word)
    return key in TITLES or key in AMBIGUOUS_TITLES or word.strip(",;:()") in CAPITAL_RANKS


def is_rank_half(words: Sequence[str]) -> bool:
    """ "Upper Half" or "Lower Half", as in Rear Admiral (Lower Half)."""
    return tuple(word_key(w) for w in words) in RANK_HALVES
