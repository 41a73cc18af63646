"""Property-based tests generated from the app's own OpenAPI document: whatever the parameters,
valid or not, every operation answers as documented and never with a 500."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def run_operations(app: FastAPI, mode: GenerationMode, examples: int, checks: list[Any]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures: list[str] = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not operation.definition.raw.get("parameters"):
            continue  # nothing to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=checks)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_valid_requests_get_documented_answers(app: FastAPI) -> None:
    run_operations(app, GenerationMode.POSITIVE, 20, CONFORMANCE)


def test_invalid_requests_get_a_400_never_a_500(app: FastAPI) -> None:
    run_operations(
        app,
        GenerationMode.NEGATIVE,
        12,
        [not_a_server_error, status_code_conformance, content_type_conformance],
    )
