"""Records serialized as the API writes them inside an item response, each encoded once however
often it is served; a scaled clone is rendered from its template's serialized body."""

from __future__ import annotations

import threading
from collections.abc import Callable

from hearings.replica.clones import CloneTemplate, clone_template, clone_text
from hearings.replica.records import Record, nested_json


class ItemTexts:
    """The serialized records of one corpus, under the corpus's lock (which guards its records)."""

    def __init__(self, lock: threading.RLock):
        self._lock = lock
        self._texts: dict[Record, str] = {}
        self._clone_templates: dict[Record, CloneTemplate] = {}

    def text(self, record: Record, *, stored: Callable[[Record], bool]) -> str:
        """`record` serialized (sorted keys, 4-space indent, nested one level deep); kept only
        while `stored(record)`, so a record replaced meanwhile is not cached."""
        if record.clone_of is not None:
            return self._clone_text(record, record.clone_of)
        with self._lock:
            text = self._texts.get(record)
        if text is None:
            text = nested_json(record.body)
            with self._lock:
                if stored(record):
                    self._texts[record] = text
        return text

    def forget(self, record: Record) -> None:
        with self._lock:
            self._texts.pop(record, None)

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()
            self._clone_templates.clear()

    def _clone_text(self, record: Record, template: Record) -> str:
        with self._lock:
            cached = self._clone_templates.get(template)
        if cached is None:
            cached = clone_template(template)
            with self._lock:
                self._clone_templates[template] = cached
        return clone_text(record, template, cached)
