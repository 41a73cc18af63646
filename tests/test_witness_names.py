"""Witness names: parsing, the "same person" key and organizations. Names come from the bundled
congress-119 corpus unless marked (documents matched to witnesses: test_witness_documents.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearings import name_text, name_vocabulary
from hearings.witness_names import PersonName, normalize_organization, parse_witness_name

# (name as the API gives it, honorific, first, middle, last, suffix, normalized)
NAMES = [
    # From the corpus.
    ("Prof. Mike Natchees", "Prof.", "Mike", None, "Natchees", None, "mike natchees"),
    ("Hon. Kirk Francis", "Hon.", "Kirk", None, "Francis", None, "kirk francis"),
    (
        "Dr. Frank Star Comes Out",
        "Dr.",
        "Frank",
        None,
        "Star Comes Out",
        None,
        "frank star comes out",
    ),
    (
        "The Honorable Kathleen Wooden Knife",
        "The Honorable",
        "Kathleen",
        None,
        "Wooden Knife",
        None,
        "kathleen wooden knife",
    ),
    ("Ms. Cecilia Flores", "Ms.", "Cecilia", None, "Flores", None, "cecilia flores"),
    ("The Honorable Chief Allen", "The Honorable", "Chief", None, "Allen", None, "chief allen"),
    ("Mrs. Janet Alkire", "Mrs.", "Janet", None, "Alkire", None, "janet alkire"),
    ("Corey Hinton", None, "Corey", None, "Hinton", None, "corey hinton"),
    ("Mrs. Brian Harris", "Mrs.", "Brian", None, "Harris", None, "brian harris"),
    ("Mr. Donna Thompson", "Mr.", "Donna", None, "Thompson", None, "donna thompson"),
    ("Hon. Martin O'Malley", "Hon.", "Martin", None, "O'Malley", None, "martin omalley"),
    ("Prof. Rachel Greszler", "Prof.", "Rachel", None, "Greszler", None, "rachel greszler"),
    ("Dr. Jim Tymon", "Dr.", "Jim", None, "Tymon", None, "jim tymon"),
    (
        "The Honorable Melissa Emery-Arras",
        "The Honorable",
        "Melissa",
        None,
        "Emery-Arras",
        None,
        "melissa emery arras",
    ),
    (
        "Prof. Cecilia Fire Thunder",
        "Prof.",
        "Cecilia",
        None,
        "Fire Thunder",
        None,
        "cecilia fire thunder",
    ),
    (
        "Hon. Dylan Hedtler-Gaudette",
        "Hon.",
        "Dylan",
        None,
        "Hedtler-Gaudette",
        None,
        "dylan hedtler gaudette",
    ),
    ("Robert J. Orifici", None, "Robert", "J.", "Orifici", None, "robert j orifici"),
    ('James "Jim" R. Swartz', None, "James", "R.", "Swartz", None, "james r swartz"),
    ("Hon. James W. Smith", "Hon.", "James", "W.", "Smith", None, "james w smith"),
    ("Mrs. J. Manger", "Mrs.", "J.", None, "Manger", None, "j manger"),
    (
        "Prof. Master Chief Petty Officer James Honea",
        "Prof. Master Chief Petty Officer",
        "James",
        None,
        "Honea",
        None,
        "james honea",
    ),
    ("Dr. Major Carlos Ruiz", "Dr. Major", "Carlos", None, "Ruiz", None, "carlos ruiz"),
    ("Hon. Major Michael Weimer", "Hon. Major", "Michael", None, "Weimer", None, "michael weimer"),
    (
        "Prof. Chief Master Sergeant David Flosi",
        "Prof. Chief Master Sergeant",
        "David",
        None,
        "Flosi",
        None,
        "david flosi",
    ),
    ("Robert (Bob) Thompson", None, "Robert", None, "Thompson", None, "robert thompson"),
    ("Dr. General David Tabor", "Dr. General", "David", None, "Tabor", None, "david tabor"),
    (
        "Mrs. Brigadier General Tom Landwermeyer",
        "Mrs. Brigadier General",
        "Tom",
        None,
        "Landwermeyer",
        None,
        "tom landwermeyer",
    ),
    (
        "Brigadier General Melissa Stone",
        "Brigadier General",
        "Melissa",
        None,
        "Stone",
        None,
        "melissa stone",
    ),
    (
        "Hon. General William Edwards",
        "Hon. General",
        "William",
        None,
        "Edwards",
        None,
        "william edwards",
    ),
    ("Ms. James Smith II", "Ms.", "James", None, "Smith", "II", "james smith ii"),
    ("Tiffany Wagner, USAF", None, "Tiffany", None, "Wagner", "USAF", "tiffany wagner"),
    (
        "Mrs. Elena Spatoulas Patel",
        "Mrs.",
        "Elena",
        None,
        "Spatoulas Patel",
        None,
        "elena spatoulas patel",
    ),
    (
        "Prof. Félix Matos Rodríguez",
        "Prof.",
        "Félix",
        None,
        "Matos Rodríguez",
        None,
        "felix matos rodriguez",
    ),
    (
        "The Honorable Tiffany Dowell Lashmet",
        "The Honorable",
        "Tiffany",
        None,
        "Dowell Lashmet",
        None,
        "tiffany dowell lashmet",
    ),
    (
        "Dr. Diana Furchtgott-Roth",
        "Dr.",
        "Diana",
        None,
        "Furchtgott-Roth",
        None,
        "diana furchtgott roth",
    ),
    (
        'The Honorable Bradley "Scott" Dane',
        "The Honorable",
        "Bradley",
        None,
        "Dane",
        None,
        "bradley dane",
    ),
    ("Ms. Thomas DeLuca", "Ms.", "Thomas", None, "DeLuca", None, "thomas deluca"),
    ("Mr. Kara Saul-Rinaldi", "Mr.", "Kara", None, "Saul-Rinaldi", None, "kara saul rinaldi"),
    ("Rachel McArdle", None, "Rachel", None, "McArdle", None, "rachel mcardle"),
    (
        "Rev. Mariah Furness Tollgaard",
        "Rev.",
        "Mariah",
        None,
        "Furness Tollgaard",
        None,
        "mariah furness tollgaard",
    ),
    ("The Honorable Tim Walz", "The Honorable", "Tim", None, "Walz", None, "tim walz"),
    (
        "Mr. Kiran Chinnagangannagari",
        "Mr.",
        "Kiran",
        None,
        "Chinnagangannagari",
        None,
        "kiran chinnagangannagari",
    ),
    ("Timoth Puetz", None, "Timoth", None, "Puetz", None, "timoth puetz"),
    # Cases the corpus does not show, seen elsewhere in committee witness lists.
    ("Mr. Thomas DiNanno", "Mr.", "Thomas", None, "DiNanno", None, "thomas dinanno"),
    ("The Honorable Jane Doe", "The Honorable", "Jane", None, "Doe", None, "jane doe"),
    ("Dr. John Smith, Jr.", "Dr.", "John", None, "Smith", "Jr.", "john smith jr"),
    ("MIchael Woody", None, "MIchael", None, "Woody", None, "michael woody"),
    ("Lt. Gen. John Doe", "Lt. Gen.", "John", None, "Doe", None, "john doe"),
    ("Rear Admiral Jane Roe", "Rear Admiral", "Jane", None, "Roe", None, "jane roe"),
    ("General Paul Nakasone", "General", "Paul", None, "Nakasone", None, "paul nakasone"),
    (
        "Ambassador Linda Thomas-Greenfield",
        "Ambassador",
        "Linda",
        None,
        "Thomas-Greenfield",
        None,
        "linda thomas greenfield",
    ),
    ("Sen. Jane Roe", "Sen.", "Jane", None, "Roe", None, "jane roe"),
    ("Rep. John Roe", "Rep.", "John", None, "Roe", None, "john roe"),
    ("Senator Smith", "Senator", None, None, "Smith", None, "smith"),
    ("Dr. Mary O'Neil, Ph.D.", "Dr.", "Mary", None, "O'Neil", "Ph.D.", "mary oneil"),
    (
        "Mr. José García-López III",
        "Mr.",
        "José",
        None,
        "García-López",
        "III",
        "jose garcia lopez iii",
    ),
    (
        "Hon. Robert F. Kennedy, Jr.",
        "Hon.",
        "Robert",
        "F.",
        "Kennedy",
        "Jr.",
        "robert f kennedy jr",
    ),
    ("Rev. Al Sharpton", "Rev.", "Al", None, "Sharpton", None, "al sharpton"),
    ("  Jane   Doe \r\n", None, "Jane", None, "Doe", None, "jane doe"),
    ("Mary O\u2019Neil", None, "Mary", None, "O'Neil", None, "mary oneil"),
    ("William \u201cBill\u201d Smith", None, "William", None, "Smith", None, "william smith"),
    ('William "Bill" Smith', None, "William", None, "Smith", None, "william smith"),
    ("Smith, John", None, "John", None, "Smith", None, "john smith"),
    ("Smith, Dr. John A., Jr.", "Dr.", "John", "A.", "Smith", "Jr.", "john a smith jr"),
    ("Gen. David Tabor, USAF (Ret.)", "Gen.", "David", None, "Tabor", "USAF (Ret.)", "david tabor"),
    ("Major Owens", None, "Major", None, "Owens", None, "major owens"),
    ("Tran Do", None, "Tran", None, "Do", None, "tran do"),
    ("Madonna", None, None, None, "Madonna", None, "madonna"),
    # Military ranks and offices, as issue 15 reported them.
    (
        "Ms. Rear Admiral Upper Half Mark Montgomery",
        "Ms. Rear Admiral Upper Half",
        "Mark",
        None,
        "Montgomery",
        None,
        "mark montgomery",
    ),
    ("Gen. (Ret.) Ann Cole", "Gen. (Ret.)", "Ann", None, "Cole", None, "ann cole"),
    ("Lt. Gen. Ann Cole", "Lt. Gen.", "Ann", None, "Cole", None, "ann cole"),
    ("Maj. Gen. Ann Cole", "Maj. Gen.", "Ann", None, "Cole", None, "ann cole"),
    (
        "Rear Admiral (Lower Half) Ann Cole",
        "Rear Admiral (Lower Half)",
        "Ann",
        None,
        "Cole",
        None,
        "ann cole",
    ),
    ("LTG Ann Cole", "LTG", "Ann", None, "Cole", None, "ann cole"),
    ("MG Ann Cole", "MG", "Ann", None, "Cole", None, "ann cole"),
    ("M.G. Cole", None, "M.G.", None, "Cole", None, "m g cole"),
    ("Judge Ann Cole", "Judge", "Ann", None, "Cole", None, "ann cole"),
    ("Ambassador Ann Cole", "Ambassador", "Ann", None, "Cole", None, "ann cole"),
    ("Former Ambassador Ann Cole", "Former Ambassador", "Ann", None, "Cole", None, "ann cole"),
    ("Sheriff Ann Cole", "Sheriff", "Ann", None, "Cole", None, "ann cole"),
    ("Chief Ann Cole", "Chief", "Ann", None, "Cole", None, "ann cole"),
    ("Police Chief Ann Cole", "Police Chief", "Ann", None, "Cole", None, "ann cole"),
    ("Attorney General Ann Cole", "Attorney General", "Ann", None, "Cole", None, "ann cole"),
    ("Acting Secretary Cole", "Acting Secretary", None, None, "Cole", None, "cole"),
    ("Judge Glock", None, "Judge", None, "Glock", None, "judge glock"),
    ("Deputy Smith", None, "Deputy", None, "Smith", None, "deputy smith"),
]


@pytest.mark.parametrize(
    ("raw", "honorific", "first", "middle", "last", "suffix", "normalized"), NAMES
)
def test_parses_witness_names(
    raw: str,
    honorific: str | None,
    first: str | None,
    middle: str | None,
    last: str | None,
    suffix: str | None,
    normalized: str,
) -> None:
    name = parse_witness_name(raw)
    assert (name.honorific, name.first, name.middle, name.last, name.suffix) == (
        honorific,
        first,
        middle,
        last,
        suffix,
    )
    assert name.normalized == normalized


def test_the_table_has_at_least_forty_names() -> None:
    assert len(NAMES) >= 40


# Ranks and offices in the spellings the API sends, each placed before a name.
RANKS = [
    "Rear Admiral Upper Half",
    "Rear Admiral (Lower Half)",
    "RADM",
    "Vice Adm.",
    "Lt. Gen.",
    "Lieutenant General",
    "LTG",
    "LtGen",
    "Gen. (Ret.)",
    "General (Retired)",
    "Maj. Gen.",
    "MajGen",
    "MG",
    "Brig. Gen.",
    "BG",
    "Col.",
    "Lt. Col.",
    "Capt.",
    "CDR",
    "Sgt. Maj.",
    "Chief Master Sergeant",
    "Master Chief Petty Officer",
    "Judge",
    "Chief Judge",
    "Ambassador",
    "Former Ambassador",
    "Sheriff",
    "Chief",
    "Police Chief",
    "Fire Chief",
    "Attorney General",
    "Acting Secretary",
    "Deputy Assistant Secretary",
    "Mayor",
    "Governor",
    "Commissioner",
]
COURTESIES = ["", "Mr. ", "Ms. ", "Mrs. ", "Dr. ", "The Honorable ", "Hon. "]
# A word the parser reads as a title, rank, suffix or credential is not a plain name to test with.
NOT_NAMES = (
    name_vocabulary.TITLES
    | name_vocabulary.AMBIGUOUS_TITLES
    | name_vocabulary.TITLE_MODIFIERS
    | name_vocabulary.AFTER_RANK
    | name_vocabulary.POSTNOMINAL_AFTER_COMMA
    | set(name_vocabulary.GENERATIONAL)
    | {rank.lower() for rank in name_vocabulary.CAPITAL_RANKS}
    | {"the", "upper", "lower", "half"}
)
plain_names = st.from_regex(r"\A[A-Z][a-z]{1,11}\Z").filter(lambda w: w.lower() not in NOT_NAMES)


@given(
    courtesy=st.sampled_from(COURTESIES),
    rank=st.sampled_from(RANKS),
    shout=st.booleans(),
    first=plain_names,
    last=plain_names,
    suffix=st.sampled_from(["", ", USN (Ret.)", ", Ph.D.", " (Ret.)"]),
)
def test_a_rank_or_office_before_a_name_is_an_honorific(
    courtesy: str, rank: str, shout: bool, first: str, last: str, suffix: str
) -> None:
    raw = f"{courtesy}{rank} {first} {last}{suffix}"
    name = parse_witness_name(raw.upper() if shout else raw)
    assert name.normalized == f"{first} {last}".lower(), raw
    assert (name.first or "").lower() == first.lower(), raw
    assert (name.last or "").lower() == last.lower(), raw
    assert name.honorific is not None and rank.split()[-1].upper() in name.honorific.upper()


@given(st.text() | st.text(alphabet="aZ09.-' \u0130\u212a\u00e9\u00df"))
def test_alnum_key_is_the_lowercase_text_without_anything_but_ascii_letters_and_digits(
    text: str,
) -> None:
    # Its shortcut for text with nothing to remove must agree with the regular expression.
    assert name_text.alnum_key(text) == re.sub(r"[^a-z0-9]", "", text.lower())


@given(st.text())
def test_any_text_gives_a_plain_key_and_never_an_error(raw: str) -> None:
    key = parse_witness_name(raw).normalized
    assert key == " ".join(key.split())
    words = key.split()
    assert all(word.isalnum() and word == word.casefold() for word in words)
    # ASCII words, or, for a name with none (Arabic, Chinese...), its own letters alone.
    assert all(word.isascii() for word in words) or not any(word.isascii() for word in words)


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("د. سارة الأحمد", "د سارة الاحمد"),
        ("سَارة الأحمد", "سارة الاحمد"),  # vowel marks and hamza, like accents, do not count
        ("王小明", "王小明"),
        ("Dr. Иван ПЕТРОВ", "иван петров"),
        ("김철수", "김철수"),
        ("Ms. 李 Li", "li"),  # an ASCII key as before: it is the key the database holds
    ],
)
def test_a_name_in_a_script_without_ascii_letters_keeps_its_own(given: str, key: str) -> None:
    assert parse_witness_name(given).normalized == key


def test_honorifics_case_and_spacing_do_not_change_the_person() -> None:
    variants = [
        "Mr. Thomas DiNanno",
        "The Honorable Thomas DiNanno",
        "THOMAS DINANNO",
        "Hon. Thomas  DiNanno ",
        "Dr. Thomas DiNanno, Ph.D.",
        "DiNanno, Thomas",
    ]
    assert {parse_witness_name(v).normalized for v in variants} == {"thomas dinanno"}


def test_accents_and_apostrophes_fold_to_one_key() -> None:
    assert (
        parse_witness_name("José García-López").normalized
        == parse_witness_name("Jose Garcia Lopez").normalized
    )
    assert (
        parse_witness_name("Mary O\u2019Neil").normalized
        == parse_witness_name("MARY ONEIL").normalized
    )


def test_generational_suffix_keeps_father_and_son_apart() -> None:
    father = parse_witness_name("Robert F. Kennedy")
    son = parse_witness_name("Hon. Robert F. Kennedy, Jr.")
    assert father.normalized != son.normalized
    assert parse_witness_name("Robert F. Kennedy Jr").normalized == son.normalized


def test_nickname_is_kept_but_not_part_of_the_key() -> None:
    name = parse_witness_name('James "Jim" R. Swartz')
    assert name.nickname == "Jim"
    assert "jim" not in name.normalized.split()


@pytest.mark.parametrize("raw", ["", "   ", "\r\n\t", "\u00a0"])
def test_empty_names_give_an_empty_key(raw: str) -> None:
    assert parse_witness_name(raw) == PersonName(None, None, None, None, None, "")


def test_a_lone_title_is_not_a_name() -> None:
    name = parse_witness_name("Mr.")
    assert name.honorific == "Mr."
    assert name.normalized == ""


@pytest.mark.parametrize(
    ("org", "key"),
    [
        ("The Heritage Foundation", "heritage foundation"),
        ("Heritage  Foundation", "heritage foundation"),
        ("U.S. Department of State", "us department of state"),
        (
            "Tragedy Assistance Program for Survivors (TAPS)",
            "tragedy assistance program for survivors",
        ),
        ("Tragedy Assistance Program for Survivors", "tragedy assistance program for survivors"),
        ("Securin Inc.", "securin"),
        ("Willkie Farr & Gallagher LLP", "willkie farr and gallagher"),
        ("Coeur d'Alene Tribe", "coeur dalene tribe"),
        ("Voice of the Arctic Iñupiat", "voice of the arctic inupiat"),
        ("Transportation Trades Department, AFL-CIO", "transportation trades department afl cio"),
        ("  Microsoft\r\n", "microsoft"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalizes_organizations(org: str | None, key: str) -> None:
    assert normalize_organization(org) == key
