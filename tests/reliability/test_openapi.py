"""The OpenAPI description, and schemathesis against the real app (moto + `chalice local`).

Schemathesis draws requests for every operation of ``/openapi.json`` (valid and invalid bodies,
odd paths, tokens and headers) and checks each answer: no 5xx, a status and media type the
description lists, a body that matches its schema.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
import schemathesis
from hypothesis import given, settings
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.e2e.helpers import LiveStack

EXAMPLES_PER_OPERATION = 25
OPERATIONS = [
    ("POST", "/requests"),
    ("GET", "/schemas/request.json"),
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/"),
    ("GET", "/static/{name}"),
    ("GET", "/drafts/{draft_id}"),
    ("GET", "/review/{token}"),
    ("HEAD", "/review/{token}"),
    ("POST", "/review/{token}"),
    ("GET", "/requests/{request_id}"),
    ("POST", "/requests/{request_id}/answer"),
    ("POST", "/requests/{request_id}/withdraw"),
]
NOTHING_TO_NEGATE = {
    ("GET", "/schemas/request.json"),
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/"),
}
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


# "Schema-valid data is accepted" cannot hold here: a signed token or an anti-forgery field that
# matches its pattern is still forged (400/403 is the right answer), the form's fields are
# free-form in the description, and schemathesis's text ignores the schema's text rule (it sends
# control characters). tests/reliability/test_fuzz.py proves acceptance of valid documents.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="module")
def api_schema(live: LiveStack) -> Any:
    """The description as the running app serves it (schemathesis's pytest plugin does not run
    under pytest 9, so its Python API draws the cases inside an ordinary Hypothesis test)."""
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_app_answers_every_operation_as_described(
    api_schema: Any,
    live: LiveStack,
    method: str,
    path: str,
    mode: Any,
) -> None:
    if mode is schemathesis.GenerationMode.NEGATIVE and (method, path) in NOTHING_TO_NEGATE:
        pytest.skip("no parameter and no body: every request to it is a valid one")
    operation = api_schema[path][method]

    @settings(max_examples=EXAMPLES_PER_OPERATION)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        if (method, path) == ("POST", "/requests"):
            live.forget_rate_limits()  # one address sends everything; 429 is tested elsewhere
        case.call_and_validate(base_url=live.url, excluded_checks=EXCLUDED)

    check()


def test_the_description_is_openapi_3_1_and_holds_the_request_schema(live: LiveStack) -> None:
    with urllib.request.urlopen(f"{live.url}/openapi.json") as answer:
        document = json.loads(answer.read())
    assert document["openapi"] == "3.1.0"
    request = document["components"]["schemas"]["Request"]
    Draft202012Validator.check_schema(request)
    with urllib.request.urlopen(f"{live.url}/schemas/request.json") as answer:
        served = json.loads(answer.read())
    # Derived, not copied: the schema as served, plus the eligibility rules written as schema.
    assert request["properties"]["contact"] == served["properties"]["contact"]
    assert request["properties"]["institution"]["properties"]["country"]["enum"]
    methods = {
        (path, m) for path, item in document["paths"].items() for m in item if m != "parameters"
    }
    assert methods >= {
        ("/requests", "post"),
        ("/schemas/request.json", "get"),
        ("/health", "get"),
        ("/", "get"),
        ("/review/{token}", "get"),
        ("/review/{token}", "head"),
        ("/review/{token}", "post"),
        ("/requests/{request_id}", "get"),
        ("/requests/{request_id}/answer", "post"),
        ("/requests/{request_id}/withdraw", "post"),
        ("/static/{name}", "get"),
    }
