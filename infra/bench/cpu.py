"""Figure 4 of ``make bench``: the warm submit handler as Lambda runs it, in its own interpreter.

:func:`rows` (the parent, in the bench) runs this module as a child once per place AWS answers:
``python -m infra.bench.cpu <calls|stubber|http> <runs>`` prints ``[handler_ms, validation_ms]``:
the medians of the submit handler through the Lambda entry point (``app.app`` with an API Gateway
event: routing, body, validation, storage, queue, response) and of ``validator.iter_errors`` for
the same document, taken alternately. The parent sets the Lambda environment before ``app`` is
imported here, so the container's start-up is Lambda's (functions/runtime/startup.py: the collector
paused, then what start-up made frozen) and the settings are read once per container.

Where AWS answers:
- ``calls``: at ``BaseClient._make_api_call``: none of botocore's own work runs;
- ``stubber``: at ``before-call``, where ``botocore.stub.Stubber`` answers: parameters are
  validated (where the client validates) and serialised, nothing is signed, sent or parsed;
- ``http``: at ``Endpoint._send``: serialisation, signing and parsing all run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

from infra.bench.operations import api_event, example_request
from infra.bench.report import Row, fmt_ms, verdict
from infra.bench.stage import DUMMY_ENV, ROOT, log

TARGET = 2.0  # the warm handler, of schema validation alone

STUB_ANSWERS: dict[str, dict[str, Any]] = {
    "DynamoDB_20120810.UpdateItem": {"Attributes": {"value": {"N": "1"}, "hits": {"N": "1"}}},
    "DynamoDB_20120810.TransactWriteItems": {},
    "AmazonSQS.SendMessage": {"MessageId": "00000000-0000-0000-0000-000000000000"},
}
ANSWERS = {name.split(".")[1]: value for name, value in STUB_ANSWERS.items()}


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def at_http() -> contextlib.AbstractContextManager[Any]:
    """Answer every AWS request at the HTTP layer: serialisation, signing, parsing all run."""
    import botocore.awsrequest
    import botocore.endpoint

    def send(_endpoint: Any, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        body = json.dumps(STUB_ANSWERS.get(target, {})).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "stub"}
        return botocore.awsrequest.AWSResponse(request.url, 200, headers, _Raw(body))

    return mock.patch.object(botocore.endpoint.Endpoint, "_send", send)


def before_botocore() -> contextlib.AbstractContextManager[Any]:
    """Answer every AWS call before botocore does anything with it."""
    # Imported here, after the app: the child imports botocore as the app does, at start-up.
    from infra.bench.calls import api_calls_through

    def answer(_client: Any, operation: str, _params: dict[str, Any]) -> dict[str, Any]:
        return dict(ANSWERS.get(operation, {}))

    return api_calls_through(answer)


@contextlib.contextmanager
def like_stubber() -> Iterator[None]:
    """Answer every AWS call where ``botocore.stub.Stubber`` does: at ``before-call``."""
    import botocore.awsrequest

    from functions.adapters import aws

    def answer(model: Any, **_: Any) -> tuple[Any, dict[str, Any]]:
        http = botocore.awsrequest.AWSResponse(None, 200, {}, None)  # as the Stubber answers
        return http, dict(ANSWERS.get(model.name, {}))

    # Registered on the container's session before any client exists: every client (pynamodb's
    # included) inherits it.
    aws.session().register("before-call.*.*", answer)
    yield


STUBS = {"calls": before_botocore, "stubber": like_stubber, "http": at_http}


def measure(where: str, runs: int) -> tuple[float, float]:
    """Median ms of the warm handler and of validation alone, alternated."""
    from app import app
    from functions.domain import schemas

    document = example_request()
    document.pop("submission_id")  # every request a new one (a replay would answer early)
    event = api_event("POST", "/requests", document)
    handler: list[float] = []
    validation: list[float] = []
    with STUBS[where]():
        for _ in range(20):  # warm: clients, validators, caches (the first ends start-up)
            answer = app(event, None)
            assert answer["statusCode"] == 201, answer
        validator = schemas.validator("request.schema.json")
        for _ in range(runs):
            started = time.perf_counter()
            app(event, None)
            handler.append(time.perf_counter() - started)
            started = time.perf_counter()
            errors = list(validator.iter_errors(document))
            validation.append(time.perf_counter() - started)
            assert not errors
    return statistics.median(handler) * 1000, statistics.median(validation) * 1000


# --- the parent: the figure ---------------------------------------------------------------------

PLACES = {
    "calls": "before botocore",
    "stubber": "where botocore's Stubber answers",
    "http": "at HTTP",
}

HOW = (
    "4. **Handler CPU**: `app.app(event, None)` with an API Gateway event for POST /requests"
    " (routing, body parsing, validation, storage, queue, response), in a child interpreter"
    " set up as a Lambda container (`infra/bench/cpu.py`: the function's environment before"
    " `app` is imported, so the collector and the settings are as in Lambda), warmed by 20"
    " requests, against `validator.iter_errors(document)` for the same document, alternated."
    " The target is on the app's own work: AWS answers at `BaseClient._make_api_call`, before"
    " botocore does anything (first row). The other rows let botocore work too: where"
    " `botocore.stub.Stubber` answers (`before-call`: parameters serialised, nothing signed,"
    " sent or parsed) and at the HTTP layer (`Endpoint._send`: signing and parsing too). The"
    " difference is the SDK's own CPU for the four calls of a submission (endpoint rules,"
    " serialisation, signing, parsing), the same for any Python Lambda making those calls:"
    " why figure 3 keeps the calls to the minimum."
)


def handler_cpu(runs: int, where: str) -> tuple[float, float]:
    """Median ms per warm submit, and per validation alone, in a child set up as Lambda runs the
    app: its environment, the collector as runtime/startup.py leaves it."""
    result = subprocess.run(  # noqa: S603  (our interpreter, our module)
        [sys.executable, "-m", "infra.bench.cpu", where, str(runs)],
        cwd=ROOT,
        env={**os.environ, **DUMMY_ENV, "AWS_LAMBDA_FUNCTION_NAME": "mieux-bench-api"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"warm CPU ({where}) failed:\n{result.stderr}")
    handler_ms, validation_ms = json.loads(result.stdout.strip().splitlines()[-1])
    return float(handler_ms), float(validation_ms)


def rows(runs: int) -> list[Row]:
    """The warm submit handler against schema validation alone, for each place AWS answers.

    The target is on the app's own work (AWS answered before botocore). The rows with
    botocore's work show what the SDK adds per call: the reason figure 3 keeps calls minimal.
    """
    log("handler CPU (AWS stubbed before botocore, at the Stubber's place, at the HTTP layer)")
    found: list[Row] = []
    for where, label in PLACES.items():
        handler_ms, validation_ms = handler_cpu(runs, where)
        ratio = handler_ms / validation_ms
        primary = where == "calls"
        found.append(
            Row(
                f"4. warm CPU: POST /requests (AWS stubbed {label})",
                fmt_ms(handler_ms),
                f"{fmt_ms(validation_ms)} (schema validation alone)",
                f"{ratio:.2f}",
                f"<= {TARGET:g}" if primary else "(botocore's work included, for comparison)",
                verdict(ratio <= TARGET) if primary else "-",
            )
        )
    return found


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
