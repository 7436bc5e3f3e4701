"""Record every AWS call the app's own code makes during the tests, as IAM actions on resources.

The recording of a run is compared with the policies when the session ends (tests/policy.py,
called from tests/conftest.py; each xdist worker hands its ``RECORDED`` to the controller).

``install()`` wraps ``botocore.client.BaseClient._make_api_call``, which every client goes
through (boto3's and the one pynamodb makes for itself). A call is recorded as
``(function, IAM action, resource ARN)``: ``function`` is the Lambda the call would run in, the
Chalice name whose role must grant it (``api_handler``, ``review_tasks``, ``notifications``,
``bounces``, ``sweeper``). :func:`lambda_of` decides it from the stack, in this order:

1. Not counted if code under ``functions/ops/`` (the operator command, which runs with an
   operator's credentials) or ``tests/contract/`` (which calls the repository directly) is on
   the stack, nor if no code under ``functions/`` is: the tests' own provisioning and assertions
   (CreateStack, Scan, CreateQueue...) are not the app's and must not widen a policy.
2. The entry point on the stack, the code Lambda runs: ``app.py`` or ``functions/web/*`` (the
   route views) is ``api_handler``; ``functions/workers/<name>.py`` is the worker ``<name>``.
3. Else (a test calling a use case directly, as tests/integration sometimes does) the use case
   called, if one Lambda owns it: ``OWNERS`` maps a service module, or one of its functions, to
   the only Lambda whose entry point calls it (tests/integration/test_policy.py checks the map
   against the imports). ``services/sweep.py`` is the sweeper's, ``services/mail.py`` the mail
   worker's; ``review.dispatch_review`` the review worker's, ``review.cast_vote`` the API's.
4. Else not counted: a helper shared by several Lambdas (``review.settle_round``: the API and the
   sweeper; ``retention``), or setup (``committee.seed_demo``), called directly, says nothing of
   which role needs the call; guessing would widen a policy or hide a missing grant. Every grant
   must still be used by a call counted through 2 or 3 in a whole run (tests/policy.py).

The signing keys are cached per container (``functions/adapters/secrets.py``), and one test
process plays every Lambda: a worker run after the API in the same test would find the API's
keys and never call Secrets Manager, so its grant would look unused. ``install()`` therefore
keys that cache by the Lambda too (:class:`PerLambdaCache`), as separate containers would.

Each call becomes the IAM actions AWS checks for it, with the resource ARN each is checked on.
Most operations are their own action; the exceptions are in ``_ACTIONS`` and ``_dynamodb``
(see docs/operations.md, "The IAM policy"):
- ``dynamodb:TransactWriteItems`` is not an IAM action: IAM checks PutItem, UpdateItem,
  DeleteItem or ConditionCheckItem for each item of the transaction, on that item's table.
- ``dynamodb:TransactGetItems`` is checked as GetItem on each item's table.
- ``sqs:SendMessageBatch`` is checked as ``sqs:SendMessage`` (likewise DeleteMessageBatch,
  ChangeMessageVisibilityBatch).
- SES v1 and v2 share the ``ses:`` prefix: sesv2 ``SendEmail`` is ``ses:SendEmail``, checked on
  the sending identity and on the configuration set.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import botocore.client

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = str(ROOT / "functions") + os.sep
# The operator command runs with an operator's credentials, not the functions' role: what it
# calls (DLQ reads, index queries for listings and reports) is not the Lambda policy's business.
OPERATOR_CODE = str(ROOT / "functions" / "ops") + os.sep
# The contract suite drives the repository directly, every access pattern whether a function uses
# it or not (the report's region listing is the operator's): not the Lambda policy's business.
CONTRACT_TESTS = str(ROOT / "tests" / "contract") + os.sep
NOT_THE_FUNCTIONS = (OPERATOR_CODE, CONTRACT_TESTS)
API = "api_handler"  # Chalice's name of the function that serves every route
API_CODE = (str(ROOT / "functions" / "web") + os.sep, str(ROOT / "app.py"))
WORKER_CODE = str(ROOT / "functions" / "workers") + os.sep
# A use case called directly (by a test) -> the one Lambda whose entry point calls it: a module
# ("functions/services/sweep.py") or one function of it ("...review.py:dispatch_review").
OWNERS = {
    "functions/services/sweep.py": "sweeper",
    "functions/services/mail.py": "notifications",
    "functions/services/roster_mail.py": "notifications",
    "functions/services/intake.py": API,
    "functions/services/partner.py": API,
    "functions/services/staff.py": API,
    "functions/services/staff_experts.py": API,
    "functions/services/review.py:dispatch_review": "review_tasks",
    "functions/services/review.py:cast_vote": API,
    "functions/services/suppression.py:suppress": "bounces",
    # The attachments' use cases of the API (erase is the operator's, delete_due the sweeper's).
    "functions/services/attachments.py:start_upload": API,
    "functions/services/attachments.py:confirm": API,
    "functions/services/attachments.py:of_holder": API,
    "functions/services/attachments.py:attach_to_request": API,
    "functions/services/attachments.py:shown": API,
}

Grant = tuple[str, str]  # (IAM action, resource ARN)
Call = tuple[str, str, str]  # (Chalice function name, IAM action, resource ARN)

RECORDED: set[Call] = set()
_lock = threading.Lock()
_installed: list[Any] = []

_ACTIONS = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("ses", "SendBulkEmail"): "SendBulkEmail",
    ("s3", "HeadObject"): "GetObject",  # IAM checks HEAD as s3:GetObject
}
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


UNMAPPED = "(no resource rule in tests/aws_calls.py: add one)"
# cognito-idp operations that AWS authorizes by the sign-in's session (or the user's access
# token), not by IAM: the role needs no grant for them.
COGNITO_PUBLIC = frozenset({"AssociateSoftwareToken", "VerifySoftwareToken"})

# Messages the app sent that break their schema (checked after every test, tests/conftest.py).
# The app checks messages when it receives them; what it sends is checked here, on every send
# of the whole suite, so that a producer that breaks a contract fails the tests, not a queue.
BROKEN_MESSAGES: list[str] = []


def broken_messages(operation: str, params: dict[str, Any]) -> list[str]:
    """What is wrong with each SQS message body of a send, if anything."""
    if operation == "SendMessage":
        bodies = [params.get("MessageBody", "")]
    elif operation == "SendMessageBatch":
        bodies = [entry.get("MessageBody", "") for entry in params.get("Entries", [])]
    else:
        return []
    from functions.adapters.queue import BadMessage, parse

    broken = []
    for body in bodies:
        try:
            parse(body)
        except BadMessage as error:
            broken.append(f"{error}: {body[:200]}")
    return broken


class PerLambdaCache(dict[tuple[str | None, str], Any]):
    """``secrets._cache`` with one compartment per Lambda, as each has containers of its own."""

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get((lambda_of(sys._getframe(1)), key), default)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__((lambda_of(sys._getframe(1)), key), value)


def install() -> None:
    """Start recording (idempotent)."""
    if _installed:
        return
    from functions.adapters import secrets

    secrets._cache = PerLambdaCache()  # type: ignore[assignment]
    original = botocore.client.BaseClient._make_api_call

    def recording_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        function = lambda_of(sys._getframe(1))
        if function is not None:
            grants = grants_of(self, operation_name, api_params)
            with _lock:
                RECORDED.update((function, action, arn) for action, arn in grants)
        if _called_from_app():
            broken = broken_messages(operation_name, api_params)
            with _lock:
                BROKEN_MESSAGES.extend(broken)
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = recording_call
    _installed.append(original)
    _record_presigning()


def _record_presigning() -> None:
    """Presigned S3 links make no call: the browser's request is authorised by the signer's
    role, so each presigning counts as the call it allows (a POST is s3:PutObject). botocore
    puts these functions on the S3 client class when the class is first made, reading the
    module's globals then: replaced here, before any client exists."""
    import botocore.signers

    presign_url = botocore.signers.generate_presigned_url
    presign_post = botocore.signers.generate_presigned_post

    def recording_url(self: Any, ClientMethod: str, Params: Any = None, **rest: Any) -> Any:  # noqa: N803
        operation = self._PY_TO_OP_NAME[ClientMethod]
        _record(self, operation, Params or {})
        return presign_url(self, ClientMethod, Params, **rest)

    def recording_post(self: Any, Bucket: str, Key: str, *args: Any, **rest: Any) -> Any:  # noqa: N803
        _record(self, "PutObject", {"Bucket": Bucket, "Key": Key})
        return presign_post(self, Bucket, Key, *args, **rest)

    botocore.signers.generate_presigned_url = recording_url
    botocore.signers.generate_presigned_post = recording_post


def _record(client: Any, operation: str, params: dict[str, Any]) -> None:
    function = lambda_of(sys._getframe(2))
    if function is not None:
        grants = grants_of(client, operation, params)
        with _lock:
            RECORDED.update((function, action, arn) for action, arn in grants)


def _called_from_app() -> bool:
    frame = sys._getframe(2)
    found = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(NOT_THE_FUNCTIONS):
            return False
        found = found or filename.startswith(APP_CODE)
        frame = frame.f_back  # type: ignore[assignment]
    return found


def lambda_of(frame: Any) -> str | None:
    """The Lambda whose role a call made in ``frame`` needs, or None if not counted (above)."""
    entry: str | None = None
    owner: str | None = None
    app_code = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(NOT_THE_FUNCTIONS):
            return None
        if entry is None and filename.startswith(API_CODE):
            entry = API
        elif entry is None and filename.startswith(WORKER_CODE):
            name = Path(filename).stem
            entry = None if name == "__init__" else name
        if filename.startswith(APP_CODE):
            app_code = True
            relative = Path(filename).relative_to(ROOT).as_posix()
            # The outermost of our frames decides: the use case the test called, not its helpers.
            owner = OWNERS.get(f"{relative}:{frame.f_code.co_name}") or OWNERS.get(relative)
        frame = frame.f_back
    if entry is not None:
        return entry
    return owner if app_code else None


def grants_of(client: Any, operation: str, params: dict[str, Any]) -> set[Grant]:
    """The IAM actions (with resource ARNs) AWS checks for one API call."""
    meta = client.meta
    prefix = meta.service_model.signing_name  # the IAM prefix: "ses" for sesv2 too
    region = meta.region_name
    account = _account(client)
    if prefix == "dynamodb":
        return _dynamodb(operation, params, region, account)
    action = _ACTIONS.get((prefix, operation), operation)
    return {
        (f"{prefix}:{action}", arn)
        for arn in _resources(prefix, operation, params, region, account)
    }


def _account(client: Any) -> str:
    # Tests run against moto's default account; the policy's ARNs wildcard the account anyway.
    return os.environ.get("MOTO_ACCOUNT_ID", "123456789012")


def _table_arn(table: str, region: str, account: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def _dynamodb(operation: str, params: dict[str, Any], region: str, account: str) -> set[Grant]:
    if operation == "TransactWriteItems":
        grants = set()
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            arn = _table_arn(body["TableName"], region, account)
            grants.add((f"dynamodb:{_TRANSACT_WRITE[kind]}", arn))
        return grants
    if operation == "TransactGetItems":
        return {
            ("dynamodb:GetItem", _table_arn(entry["Get"]["TableName"], region, account))
            for entry in params["TransactItems"]
        }
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return {
            (f"dynamodb:{operation}", _table_arn(table, region, account))
            for table in params["RequestItems"]
        }
    arn = _table_arn(params["TableName"], region, account, params.get("IndexName"))
    return {(f"dynamodb:{operation}", arn)}


def _resources(
    prefix: str, operation: str, params: dict[str, Any], region: str, account: str
) -> Iterable[str]:
    if prefix == "sqs" and "QueueUrl" in params:
        return [f"arn:aws:sqs:{region}:{account}:{params['QueueUrl'].rsplit('/', 1)[-1]}"]
    if prefix == "secretsmanager" and "SecretId" in params:
        secret = params["SecretId"]
        if secret.startswith("arn:"):
            return [secret]
        return [f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}-AbCdEf"]
    if prefix == "s3" and "Bucket" in params:
        # Object actions on the object's ARN (S3 ARNs name no region or account).
        key = params.get("Key")
        return [f"arn:aws:s3:::{params['Bucket']}" + (f"/{key}" if key else "")]
    if prefix == "sns" and "TopicArn" in params:
        return [params["TopicArn"]]
    if prefix == "ses" and operation in ("SendEmail", "SendRawEmail", "SendBulkEmail"):
        sender = params.get("FromEmailAddress") or params.get("Source") or ""
        domain = sender.rsplit("@", 1)[-1].rstrip(">")
        arns = [f"arn:aws:ses:{region}:{account}:identity/{domain}"]
        configuration_set = params.get("ConfigurationSetName")
        if configuration_set:
            arns.append(f"arn:aws:ses:{region}:{account}:configuration-set/{configuration_set}")
        return arns
    if prefix == "cognito-idp" and "UserPoolId" in params:
        return [f"arn:aws:cognito-idp:{region}:{account}:userpool/{params['UserPoolId']}"]
    if prefix == "cognito-idp" and operation in COGNITO_PUBLIC:
        return []  # called with the sign-in's session, not signed with the role: no IAM check
    return [UNMAPPED]  # never raise here: the app's own error handling would swallow it
