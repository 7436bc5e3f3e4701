"""Fixtures of the integration tests: a request submitted and dispatched to the committee."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Stack
from tests.integration.helpers import run_workers, seed_committee


def submit(client: Any, document: dict[str, Any]) -> str:
    """POST a request document; return its id."""
    answer = client.http.post(
        "/requests", body=json.dumps(document), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 201, answer.body
    return str(json.loads(answer.body)["id"])


@pytest.fixture
def submitted(client: Any, stack: Stack, valid_request: dict[str, Any]) -> str:
    """A request stored, dispatched, and its receipt and review emails sent."""
    seed_committee()
    request_id = submit(client, valid_request)
    run_workers(client, stack)
    return request_id
