"""The check of the JSON columns' shapes (`hearings verify`'s `shapes`, and a backup restore):
each holds the kind of value hearings writes there (an object, or a list of texts or of
objects). A JSON column takes any valid JSON on both backends, so a list where an object
belongs, or a bare number or text, passed the `values` check (it reads back) and then failed
whatever read it: the export of a printed hearing whose `dates` was a number, `hearings report`
on a checkpoint whose `event_ids` was one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)

from hearings.errors import quoted
from hearings.store import schema
from hearings.store.value_suspects import json_vouched, suspect

# Values named in the finding at most; the count covers the rest.
_NAMED = 20


@dataclass(frozen=True)
class Shape:
    """A JSON value hearings writes: `kind` (an object or a list) whose items, for a list, are
    all `items`."""

    described: str
    kind: type
    items: type | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` is not of this shape, or None. JSON null reads as no value, which every
        reader of these columns takes."""
        if value is None:
            return None
        if not isinstance(value, self.kind):
            return f"{_kind_of(value)} where {self.described} belongs"
        items = self.items
        if items is not None and isinstance(value, list):
            odd = next((item for item in value if not isinstance(item, items)), None)
            if odd is not None or None in value:
                return f"a list holding {_kind_of(odd)} where {self.described} belongs"
        return None

    def vouched(self, value: ColumnElement[Any]) -> ColumnElement[bool]:
        """SQLite's word (on SQLite only) that `value` is of this shape, or JSON null: `problem`
        then finds nothing in it. CASE, so that `json_type` never reads text that is not JSON."""
        kind = func.json_type(value, type_=String)
        if self.kind is dict:
            return case((json_vouched(value), kind.in_(("object", "null"))), else_=False)
        listed: ColumnElement[bool] = kind == "array"
        if self.items is not None:
            item = func.json_each(value).table_valued("type")
            odd = select(literal(1)).select_from(item).where(item.c.type != _TYPES[self.items])
            listed = and_(listed, not_(exists(odd)))
        return case((json_vouched(value), or_(kind == "null", listed)), else_=False)


# What SQLite's `json_type` calls a value of each Python type the shapes hold.
_TYPES: dict[type, str] = {dict: "object", list: "array", str: "text"}

OBJECT = Shape("an object", dict)
TEXTS = Shape("a list of texts", list, str)
OBJECTS = Shape("a list of objects", list, dict)

# Every JSON column, by table and name (a test holds this to the schema).
SHAPES: dict[tuple[str, str], Shape] = {
    ("update_logs", "metrics"): OBJECT,
    ("import_errors", "locator"): OBJECT,
    ("payload_archive", "locator"): OBJECT,
    ("batch_checkpoints", "event_ids"): TEXTS,
    ("batch_checkpoints", "before_images"): OBJECT,
    ("printed_hearings", "dates"): TEXTS,
    ("printed_hearings", "formats"): OBJECTS,
    ("printed_hearings", "committee_codes"): TEXTS,
}


def misshapen_values(connection: Connection) -> tuple[int, list[str]]:
    """How many JSON values are not of their column's shape, and the first few named:
    `printed_hearings.dates of 51692/118: '1' (a number where a list of texts belongs)`."""
    count, named = 0, list[str]()
    for (table_name, column_name), shape in SHAPES.items():
        table = schema.metadata.tables[table_name]
        column: Column[Any] = table.c[column_name]
        key = list(table.primary_key.columns)
        query = select(*key, column.label("value")).where(column.is_not(None))
        if connection.dialect.name == "sqlite":
            # Python reads only the values SQLite cannot vouch for; same plan, same order.
            query = query.where(suspect(shape.vouched(column), column))
        rows = connection.execute(query.execution_options(yield_per=500))
        for row in rows:
            problem = shape.problem(row.value)
            if problem is None:
                continue
            count += 1
            if len(named) < _NAMED:
                which = "/".join(str(part) for part in row[:-1])
                text = json.dumps(row.value, ensure_ascii=False)
                named.append(
                    f"{table_name}.{column_name} of {which}: {quoted(text, 40)} ({problem})"
                )
    return count, named


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
