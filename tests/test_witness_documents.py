"""Witness documents matched to their witness by the name token of a House file name
(`HHRG-119-AP06-Wstate-IsaacsK-20250225.pdf`), or left on the meeting, never dropped. Document
URLs come from the bundled congress-119 corpus unless marked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hearings
from hearings.witness_documents import (
    match_document_to_witness,
    url_path,
    witness_document_token,
)
from hearings.witness_names import PersonName, parse_witness_name

MEETINGS = (
    Path(hearings.__file__).parent / "replica" / "corpus" / "congress-119" / "committee-meeting"
)
DOCS = "https://www.congress.gov/119/meeting/house"


@pytest.mark.parametrize(
    ("url", "token"),
    [
        (f"{DOCS}/117214/witnesses/HHRG-119-AP06-Wstate-IsaacsK-20250225.pdf", "IsaacsK"),
        (f"{DOCS}/117214/witnesses/HHRG-119-AP06-Bio-NatcheesM-20250225.pdf", "NatcheesM"),
        (f"{DOCS}/117214/witnesses/HHRG-119-AP06-TTF-StarComesOutF-20250225.pdf", "StarComesOutF"),
        (f"{DOCS}/117214/witnesses/HHRG-119-AP06-Wstate-WoodenKnifeK-20250225.pdf", "WoodenKnifeK"),
        (f"{DOCS}/118409/witnesses/HHRG-119-GO00-Wstate-SmithIIJ-20250624.pdf", "SmithIIJ"),
        (f"{DOCS}/117214/documents/HHRG-119-AP06-20250225-SD001.pdf", None),
        (f"{DOCS}/1/witnesses/HHRG-119-AP06-Wstate-DoeJ-20250225-SD002.pdf", "DoeJ"),
        (f"{DOCS}/117214/witnesses/HHRG-119-AP06-Wstate-NatcheesM-20250225.pdf?x=1", "NatcheesM"),
        ("https://www.congress.gov/119/meeting/house/119003/documents/BILLS-119hr1ih.pdf", None),
        ("", None),
    ],
)
def test_reads_the_name_token_of_a_document_url(url: str, token: str | None) -> None:
    assert witness_document_token(url) == token


@given(
    st.one_of(
        st.text(),
        st.builds(
            "".join,
            st.lists(
                st.sampled_from(
                    [
                        "http",
                        "https",
                        "HTTPS",
                        ":",
                        "//",
                        "/",
                        "?",
                        "#",
                        "[",
                        "]",
                        "@",
                        "é",
                        "\t",
                        "\n",
                        " ",
                        "\x01",
                        "www.congress.gov",
                        "a.pdf",
                        "-20250225",
                    ]
                ),
                max_size=12,
            ),
        ),
    )
)
def test_the_path_of_a_url_is_the_one_urlsplit_finds(url: str) -> None:
    try:
        expected = urlsplit(url).path
    except ValueError:
        # A host urlsplit rejects is left to urlsplit, which rejects it here too.
        with pytest.raises(ValueError):
            url_path(url)
        return
    assert url_path(url) == expected


def _meeting(event_id: str) -> dict[str, Any]:
    path = next(MEETINGS.glob(f"119/*/{event_id}.json"))
    meeting: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["committeeMeeting"]
    return meeting


def _names(meeting: dict[str, Any]) -> list[PersonName]:
    return [parse_witness_name(w.get("name") or "") for w in meeting.get("witnesses", [])]


@pytest.mark.parametrize(
    ("event_id", "file_name", "witness_name"),
    [
        ("117214", "HHRG-119-AP06-TTF-StarComesOutF-20250225.pdf", "Dr. Frank Star Comes Out"),
        (
            "117214",
            "HHRG-119-AP06-Bio-WoodenKnifeK-20250225.pdf",
            "The Honorable Kathleen Wooden Knife",
        ),
        ("117214", "HHRG-119-AP06-Wstate-AllenC-20250225.pdf", "The Honorable Chief Allen"),
        ("117775", "HHRG-119-AP00-Wstate-OMalleyM-20250115.pdf", "Hon. Martin O'Malley"),
        ("118096", "HHRG-119-VR09-Wstate-JOrificiR-20250409.pdf", "Robert J. Orifici"),
        ("118096", "HHRG-119-VR09-Bio-JimRSwartzJ-20250409.pdf", 'James "Jim" R. Swartz'),
        ("118096", "HHRG-119-VR09-Bio-WSmithJ-20250409.pdf", "Hon. James W. Smith"),
        ("118096", "HHRG-119-VR09-Bio-SmithK-20250409.pdf", "Mr. Kenneth Smith"),
        (
            "118112",
            "HHRG-119-AP18-Wstate-ChiefPettyOfficerJamesHoneaM-20250408.pdf",
            "Prof. Master Chief Petty Officer James Honea",
        ),
        (
            "118112",
            "HHRG-119-AP18-Wstate-MasterSergeantDavidFlosiC-20250408.pdf",
            "Prof. Chief Master Sergeant David Flosi",
        ),
        ("118112", "HHRG-119-AP18-TTF-CarlosRuizM-20250408.pdf", "Dr. Major Carlos Ruiz"),
        ("118172", "HHRG-119-AS03-Wstate-BobThompsonR-20250514.pdf", "Robert (Bob) Thompson"),
        ("118409", "HHRG-119-GO00-Wstate-WagnerUSAFT-20250624.pdf", "Tiffany Wagner, USAF"),
        ("118409", "HHRG-119-GO00-Wstate-SmithIIJ-20250624.pdf", "Ms. James Smith II"),
        ("118469", "HHRG-119-AG29-Bio-MatosRodrguezF-20250715.pdf", "Prof. Félix Matos Rodríguez"),
        (
            "118582",
            "HHRG-119-AG15-Bio-ScottDaneB-20250910.pdf",
            'The Honorable Bradley "Scott" Dane',
        ),
        ("119003", "HHRG-119-GO00-Bio-TollgaardM-20260304.pdf", "Rev. Mariah Furness Tollgaard"),
    ],
)
def test_matches_real_documents_to_their_witness(
    event_id: str, file_name: str, witness_name: str
) -> None:
    meeting = _meeting(event_id)
    url = next(d["url"] for d in meeting["witnessDocuments"] if d["url"].endswith(file_name))
    index = match_document_to_witness(url, _names(meeting))
    assert index is not None
    assert meeting["witnesses"][index]["name"] == witness_name


def test_falls_back_to_a_unique_last_name() -> None:
    witnesses = [parse_witness_name("Dr. Jonathan Isaacs"), parse_witness_name("Ms. Ann Lee")]
    url = f"{DOCS}/1/witnesses/HHRG-119-AP06-Wstate-IsaacsK-20250225.pdf"
    assert match_document_to_witness(url, witnesses) == 0


def test_an_ambiguous_last_name_matches_no_one() -> None:
    witnesses = [parse_witness_name("John Smith"), parse_witness_name("Jane Smith")]
    url = f"{DOCS}/1/witnesses/HHRG-119-AP06-Wstate-SmithK-20250225.pdf"
    assert match_document_to_witness(url, witnesses) is None


def test_two_witnesses_with_the_same_key_match_no_one() -> None:
    witnesses = [parse_witness_name("John Smith"), parse_witness_name("Jane Smith")]
    url = f"{DOCS}/1/witnesses/HHRG-119-AP06-Wstate-SmithJ-20250225.pdf"
    assert match_document_to_witness(url, witnesses) is None


def test_a_supporting_document_without_a_name_matches_no_one() -> None:
    witnesses = [parse_witness_name("John Smith")]
    url = f"{DOCS}/117214/documents/HHRG-119-AP06-20250225-SD001.pdf"
    assert match_document_to_witness(url, witnesses) is None
    assert match_document_to_witness(url, []) is None


def _corpus_meetings() -> Iterator[dict[str, Any]]:
    for path in sorted(MEETINGS.glob("119/*/*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))["committeeMeeting"]


def test_most_corpus_witness_documents_find_their_witness_and_none_is_lost() -> None:
    total = matched = 0
    for meeting in _corpus_meetings():
        witnesses = _names(meeting)
        documents = meeting.get("witnessDocuments", [])
        by_witness: dict[int | None, list[str]] = {}
        for document in documents:
            index = match_document_to_witness(document["url"], witnesses)
            assert index is None or 0 <= index < len(witnesses)
            by_witness.setdefault(index, []).append(document["url"])
        # Every document lands somewhere: on a witness, or (None) on the meeting itself.
        assert sum(len(urls) for urls in by_witness.values()) == len(documents)
        total += len(documents)
        matched += len(documents) - len(by_witness.get(None, []))
    assert total > 400
    share = matched / total
    print(f"witness documents matched to a witness: {matched}/{total} = {share:.1%}")
    assert share >= 0.95
