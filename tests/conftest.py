"""Fixtures shared by every test: the stage provisioned once per process, restored for each test.

Provisioning ``infra/stack.yaml`` through moto's CloudFormation takes 1-4 s, so each process
(each xdist worker) does it once, the first time a test asks for ``stack``, and saves moto's
state (tests/moto_snapshot.py); every later ``stack`` test starts from a copy of that state,
as if the account had just been provisioned. A test that needs an empty account (its own
CloudFormation stacks, its own queues) uses ``fresh_account`` or its own ``mock_aws()``: moto
resets on the outermost start, and the next ``stack`` test puts the provisioned state back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import botocore.loaders
import pytest

# Dummy credentials before anything creates a client: no test may ever reach real AWS.
for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}.items():
    os.environ[_name] = _value
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from moto import mock_aws  # noqa: E402  (after the credentials above)
from moto.core.config import DefaultConfig  # noqa: E402
from moto.core.custom_responses_mock import reset_responses_mock  # noqa: E402
from moto.core.models import responses_mock  # noqa: E402

from functions.adapters import aws as aws_clients  # noqa: E402
from functions.adapters import secrets  # noqa: E402
from tests import aws_calls, policy  # noqa: E402
from tests.moto_snapshot import Snapshot  # noqa: E402
from tests.support import ROOT, Stack, example_request  # noqa: E402

RECORDING = "aws_calls"  # the key of an xdist worker's recording in its workeroutput


class _CombineRecordings:
    """On the xdist controller: add each worker's recorded calls to this process's."""

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        calls = getattr(node, "workeroutput", {}).get(RECORDING, [])
        aws_calls.RECORDED.update((function, action, arn) for function, action, arn in calls)


def pytest_configure(config: pytest.Config) -> None:
    """Record the app's AWS calls from the start (checked against each function's policy)."""
    aws_calls.install()
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_CombineRecordings(), "mieux-combine-recordings")


@pytest.fixture(autouse=True)
def sent_messages_keep_their_contracts() -> Iterator[None]:
    """Every SQS message the app sends matches its schema (tests/aws_calls.py checks each)."""
    aws_calls.BROKEN_MESSAGES.clear()
    yield
    broken, aws_calls.BROKEN_MESSAGES[:] = list(aws_calls.BROKEN_MESSAGES), []
    assert not broken, broken


POLICY: dict[str, Any] = {"problems": [], "notes": [], "verdict": ""}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Check this run's AWS calls against the stages' policies (a worker hands its calls over)."""
    config = session.config
    if hasattr(config, "workerinput"):
        config.workeroutput[RECORDING] = sorted(aws_calls.RECORDED)  # type: ignore[attr-defined]
        return
    # A call the policy refuses is wrong in any run. Only a whole, passing run proves a grant
    # unused (a failed test may have stopped before its calls): after failures, only said.
    recorded = set(aws_calls.RECORDED)
    whole, passed = policy.whole_suite(config), exitstatus == pytest.ExitCode.OK
    problems = policy.problems(recorded, whole_suite=whole and passed)
    notes = policy.problems(recorded, whole_suite=True) if whole and not passed else []
    POLICY["problems"], POLICY["notes"] = problems, [n for n in notes if n not in problems]
    functions = len({function for function, _, _ in recorded})
    verdict = f"IAM policies: all {len(recorded)} recorded grants of {functions} functions allowed"
    POLICY["verdict"] = verdict + (", every grant used" if whole and not POLICY["notes"] else "")
    if problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say what the policy check found (it fails the run, not a test)."""
    if POLICY["problems"]:
        terminalreporter.section("the IAM policies against this run's AWS calls", red=True)
        for problem in POLICY["problems"]:
            terminalreporter.line(problem, red=True)
        terminalreporter.line("FAILED: .chalice/policy-*.json (tests/policy.py)", red=True)
        return
    for note in POLICY["notes"]:
        terminalreporter.line(f"(tests failed, their calls may be missing) {note}", yellow=True)
    if POLICY["verdict"]:
        terminalreporter.line(POLICY["verdict"])


def _one_call_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer one AWS call at a time, as the real services apply each call atomically.

    moto's in-process backends are not thread-safe: a DynamoDB transaction deep-copies the
    tables while another thread's call writes to them ("dictionary changed size during
    iteration"). Tests that vote from several threads at once need the service's atomicity.
    """
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    original = BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)


# This process's provisioned stage: its environment and moto's state right after provisioning.
_PROVISIONED: list[tuple[dict[str, str], Snapshot]] = []


def _provisioned() -> tuple[dict[str, str], Snapshot]:
    if not _PROVISIONED:
        from infra.local.provision import provision

        env = provision(stage="local", public_base_url="https://mieux.example.org")
        env["MIEUX_STAGE"] = "test"
        _PROVISIONED.append((env, Snapshot()))
    else:
        _PROVISIONED[0][1].restore()
    return _PROVISIONED[0]


# One botocore loader for the process: each new session would parse the service models again.
_LOADER = botocore.loaders.create_loader()


def _forget_clients() -> None:
    """A new botocore session for the app (its clients, their fault hooks and the pynamodb
    binding go with the old one), sharing the loader that has parsed the models; no keys."""
    aws_clients.reset_clients()
    aws_clients.session().register_component("data_loader", _LOADER)
    secrets.forget()


# boto3's default session kept across tests too (credentials are the dummy ones above).
_KEEP_BOTO3_SESSION: DefaultConfig = {"core": {"reset_boto3_session": False}}


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The stage's resources from infra/stack.yaml, in an account no other test has touched."""
    _forget_clients()
    _one_call_at_a_time(monkeypatch)
    mock = mock_aws(config=_KEEP_BOTO3_SESSION)
    mock.start(reset=not _PROVISIONED)
    try:
        env, _ = _provisioned()
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield Stack(dict(env))
    finally:
        mock.stop(remove_data=False)  # kept for the next test to restore over, not reset
        reset_responses_mock(responses_mock)  # else each start adds its URL patterns again
        _forget_clients()


@pytest.fixture
def fresh_account() -> Iterator[None]:
    """An empty moto account for this test alone (no stage provisioned in it)."""
    aws_clients.reset_clients()
    secrets.forget()
    with mock_aws():
        yield
    aws_clients.reset_clients()
    secrets.forget()


@pytest.fixture
def sqs_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """moto's SQS clock, moved by the test: a visibility timeout ends without a real wait."""
    from tests.integration.sweeping import SqsClock

    return SqsClock(monkeypatch)


@pytest.fixture
def client(stack: Stack) -> Iterator[Any]:
    """Chalice's test client on the real app, against the moto stack."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="test", project_dir=str(ROOT)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live() -> Iterator[Any]:
    """The app under `chalice local` on a moto server of its own, for the whole session."""
    from tests.e2e.helpers import live_stack

    with live_stack() as running:
        yield running


@pytest.fixture
def valid_request() -> dict[str, Any]:
    return example_request()


@pytest.fixture
def submitted(client: Any, stack: Stack, valid_request: dict[str, Any]) -> str:
    """A request stored, dispatched, and its receipt and review emails sent."""
    from tests.integration.helpers import run_workers, seed_committee, submit

    seed_committee()
    request_id = submit(client, valid_request)
    run_workers(client, stack)
    return request_id
