"""The choices of the filter forms (Congresses, meeting types, committees), shared by the
pages that filter meetings: /hearings, /changes, /calendar and /committees, and of
/printed-hearings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from markupsafe import Markup
from sqlalchemy import Engine, select

from hearings.store import schema
from hearings.web.committee_names import committee_label
from hearings.web.text_direction import closed


def facets(request: Request) -> dict[str, Any]:
    """The choices of the filter form (cached: they change only with an update)."""

    def compute() -> dict[str, Any]:
        hearings, committees = schema.hearings, schema.committees
        engine: Engine = request.app.state.engine
        with engine.connect() as connection:
            congresses = sorted(
                connection.execute(select(hearings.c.congress).distinct()).scalars(), reverse=True
            )
            types = sorted(
                {
                    t
                    for t in connection.execute(
                        select(hearings.c.meeting_type).distinct()
                    ).scalars()
                    if t
                }
            )
            rows = connection.execute(
                select(
                    committees.c.system_code,
                    committees.c.name,
                    committees.c.chamber,
                    committees.c.parent_code,
                )
            ).all()
        choices = committee_choices(rows)
        return {
            "congresses": congresses,
            "types": types,
            # Rendered once here: a loop over ~200 committees was a third of a search page's
            # rendering time.
            "committee_options": committee_options(choices),
            "committee_labels": {code: label for code, label, _ in choices},
        }

    facts: dict[str, Any] = request.app.state.cache.get("facets", compute)
    return facts


def printed_hearing_facets(request: Request) -> dict[str, Any]:
    """The choices of the printed hearings list: its Congresses are those of the printed
    hearings (an earlier Congress's may have no meeting here), the rest as `facets`."""

    def compute() -> list[int]:
        printed = schema.printed_hearings
        engine: Engine = request.app.state.engine
        with engine.connect() as connection:
            found = connection.execute(select(printed.c.congress).distinct()).scalars()
            return sorted(found, reverse=True)

    congresses: list[int] = request.app.state.cache.get("printed_congresses", compute)
    return {**facets(request), "congresses": congresses}


def committee_choices(rows: Sequence[Any]) -> list[tuple[str, str, str]]:
    """(code, label, chamber) for the committee filter: committees by name within each chamber,
    each followed by its subcommittees, labelled with the parent."""
    names = {r.system_code: r.name or r.system_code for r in rows}
    children: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if r.parent_code:
            children[r.parent_code].append(r)
    choices = []
    tops = [r for r in rows if not r.parent_code or r.parent_code not in names]
    for top in sorted(tops, key=lambda r: (r.chamber or "~", names[r.system_code].lower())):
        choices.append((top.system_code, names[top.system_code], top.chamber or ""))
        for sub in sorted(children[top.system_code], key=lambda r: names[r.system_code].lower()):
            label = committee_label(sub.name, sub.system_code, names[top.system_code])
            choices.append((sub.system_code, label, sub.chamber or ""))
    return choices


def committee_options(choices: list[tuple[str, str, str]]) -> Markup:
    return Markup("").join(
        Markup('<option value="{}">{} · {}</option>').format(code, chamber, closed(label))
        for code, label, chamber in choices
    )


def with_selected(options: Markup, value: str | None) -> Markup:
    """`options` with the one whose value is `value` selected."""
    if not value:
        return options
    option = str(Markup('<option value="{}">').format(value))
    return Markup(str(options).replace(option, option[:-1] + " selected>", 1))
