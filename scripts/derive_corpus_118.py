"""Write the bundled corpus's small 118th Congress (src/hearings/replica/corpus/congress-118/).

One real 118th meeting (tests/samples/variants, event 115538) plus 119th meetings of the bundled
corpus copied two years back under 118th event ids, the committees they name, and the printed
hearing 115538 names. What is synthesized is listed in src/hearings/replica/corpus/README.md.
Run from the repository root: `.venv/bin/python scripts/derive_corpus_118.py`.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "src" / "hearings" / "replica" / "corpus"
SOURCE = CORPUS / "congress-119"
TARGET = CORPUS / "congress-118"
REAL_MEETING = (
    ROOT / "tests" / "samples" / "variants" / "committee-meeting-item-118-house-115538-2023.json"
)

# (119th event id, 118th event id): House ids of the 118th run ~115,000-117,200 and Senate ids
# ~333,000-336,400, so each copy takes an id in its chamber's 118th range.
COPIES = (
    ("117846", "115446"),  # House hearing, Natural Resources subcommittee, 6 witnesses
    ("118088", "115688"),  # House hearing, the same subcommittee, 4 witnesses
    ("117887", "115487"),  # House hearing, Education and Workforce, 4 witnesses
    ("118294", "115894"),  # House markup, Natural Resources
    ("117895", "115495"),  # House hearing, Canceled
    ("118529", "116129"),  # House hearing, Agriculture, 6 witnesses
    ("336604", "333504"),  # Senate meeting, Judiciary
    ("336725", "333625"),  # Senate meeting, Finance
    ("336937", "333837"),  # Senate meeting, Banking, Canceled
)
# Keys whose values name the 119th (document, video and transcript addresses, 119th bills).
DROPPED = ("meetingDocuments", "witnessDocuments", "videos", "hearingTranscript", "relatedItems")
PRINTED_JACKET = 51692  # named by the real 115538's hearingTranscript


def two_years_back(stamp: str) -> str:
    """The same instant two years earlier, written in the format it came in."""
    if "T" in stamp:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return moment.replace(year=moment.year - 2).strftime("%Y-%m-%dT%H:%M:%SZ")
    moment = datetime.fromisoformat(stamp)
    return moment.replace(year=moment.year - 2).isoformat(sep=" ")


def copied_meeting(original: dict[str, Any], event_id: str) -> dict[str, Any]:
    meeting = {k: v for k, v in original.items() if k not in DROPPED}
    meeting["congress"] = 118
    meeting["eventId"] = event_id
    meeting["updateDate"] = two_years_back(str(original["updateDate"]))
    if original.get("date"):
        meeting["date"] = two_years_back(str(original["date"]))
    return meeting


def printed_hearing() -> dict[str, Any]:
    jacket = PRINTED_JACKET
    chrg = f"CHRG-118hhrg{jacket}"
    return {
        "associatedMeeting": {
            "eventId": "115538",
            "url": "https://api.congress.gov/v3/committee-meeting/118/house/115538?format=json",
        },
        "chamber": "House",
        "citation": "H.Hrg.118",
        "committees": [
            {
                "name": "Natural Resources Committee",
                "systemCode": "hsii00",
                "url": "https://api.congress.gov/v3/committee/house/hsii00?format=json",
            }
        ],
        "congress": 118,
        "dates": [{"date": "2023-03-24"}],
        "formats": [
            {"type": "Formatted Text", "url": f"https://congress.gov/118/chrg/{chrg}/{chrg}.htm"},
            {"type": "PDF", "url": f"https://congress.gov/118/chrg/{chrg}/{chrg}.pdf"},
        ],
        "jacketNumber": jacket,
        "title": "LEGISLATIVE HEARING ON H.R. 1246 AND H.R. 1532",
        "updateDate": "2023-10-01T04:18:38Z",
    }


def related_committees(codes: set[str]) -> set[str]:
    """`codes` with their parents and their parents' subcommittees: every committee an import
    of them fetches."""
    found: set[str] = set()
    waiting = set(codes)
    while waiting:
        code = waiting.pop()
        path = next(SOURCE.glob(f"committee/*/{code}.json"), None)
        if path is None or code in found:
            continue
        found.add(code)
        committee = json.loads(path.read_text(encoding="utf-8"))["committee"]
        parent = (committee.get("parent") or {}).get("systemCode")
        subcommittees = [s["systemCode"] for s in committee.get("subcommittees") or []]
        waiting.update(c for c in (parent, *subcommittees) if c and c not in found)
    return found


def item(key: str, record: dict[str, Any], request: dict[str, str]) -> str:
    body = {
        key: record,
        "request": {"contentType": "application/json", "format": "json", **request},
    }
    return json.dumps(body, indent=4, sort_keys=True, ensure_ascii=False)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    shutil.rmtree(TARGET, ignore_errors=True)
    meetings_dir = TARGET / "committee-meeting" / "118"
    real = REAL_MEETING.read_text(encoding="utf-8")
    write(meetings_dir / "house" / "115538.json", real)
    meetings = [json.loads(real)["committeeMeeting"]]
    for old_id, new_id in COPIES:
        path = next(SOURCE.glob(f"committee-meeting/119/*/{old_id}.json"))
        meeting = copied_meeting(
            json.loads(path.read_text(encoding="utf-8"))["committeeMeeting"], new_id
        )
        chamber = path.parent.name
        request = {"chamber": chamber, "congress": "118", "eventId": new_id}
        write(meetings_dir / chamber / f"{new_id}.json", item("committeeMeeting", meeting, request))
        meetings.append(meeting)

    codes = {c["systemCode"] for m in meetings for c in m.get("committees") or []}
    codes.add("hsii00")  # the printed hearing's committee
    for code in sorted(related_committees(codes)):
        source = next(SOURCE.glob(f"committee/*/{code}.json"))
        record = json.loads(source.read_text(encoding="utf-8"))["committee"]
        record["_congresses"] = [118]
        request = {"chamber": source.parent.name, "systemCode": code}
        write(
            TARGET / "committee" / source.parent.name / f"{code}.json",
            item("committee", record, request),
        )

    request = {"chamber": "house", "congress": "118", "jacketNumber": str(PRINTED_JACKET)}
    write(
        TARGET / "hearing" / "118" / "house" / f"{PRINTED_JACKET}.json",
        item("hearing", printed_hearing(), request),
    )


if __name__ == "__main__":
    main()
