"""The OpenAPI document fuzzed on both stores: every operation, with requests generated from
its schema (as a GIS user), answers no 5xx and only statuses, media types and bodies the
document declares. ``make test`` runs a few examples per operation; ``make fuzz`` many
(``SIJIE_FUZZ_EXAMPLES``)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer

EXAMPLES = int(os.environ.get("SIJIE_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def gis(client) -> dict[str, str]:
    return bearer(client, "gis")["gis"]


def test_no_operation_answers_5xx_or_outside_its_schema(client, gis):
    schema = schemathesis.openapi.from_asgi("/api.json", client.app)
    failures: list[str] = []
    calls = 0
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        def fuzz(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=gis, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # every operation is tried; failures are listed together
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    print(f"\n{calls} generated requests, {len(failures)} operations failing")
    assert calls > 0
    assert not failures, "\n\n".join(failures)
