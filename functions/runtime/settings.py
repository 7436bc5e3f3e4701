"""Every setting of the service, read from the environment in one place.

Settings are read when asked for, never at import: Chalice sets a stage's environment variables
only inside a Lambda invocation (and ``chalice.test.Client`` only during each call), so a value
captured at import time would be the wrong one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from functions.runtime.startup import in_lambda

STAGES = ("local", "dev", "prod", "test")


class SettingsError(RuntimeError):
    """A required setting is missing or malformed: the service refuses to run with a guess."""


class Settings(NamedTuple):
    """The configuration of one stage, as the running Lambda sees it."""

    stage: str
    region: str
    table_name: str
    review_queue_url: str
    notify_queue_url: str
    public_base_url: str
    sender_email: str
    ses_configuration_set: str
    signing_keys_secret_id: str
    link_max_age_days: int
    decision_rule: str
    positive_silence_days: int
    retention_days: int
    reminder_days: int
    escalation_days: int
    information_expiry_days: int
    rate_limit_per_hour: int
    stuck_submission_minutes: int
    still_under_review_days: int
    sweep_lookback_days: int
    # A draft of the form ("Save and continue later") is kept this long after its last save, and
    # its expiry reminder goes this long before it ends.
    draft_days: int = 30
    draft_reminder_days: int = 5
    # The dead-letter queues: only the operator command reads them (the functions never do).
    review_dlq_url: str = ""
    notify_dlq_url: str = ""
    # The staff workspace's Cognito user pool and its app client (infra/stack.yaml's last
    # section). Empty where no pool exists: every /staff/ page then answers "unavailable".
    cognito_user_pool_id: str = ""
    cognito_client_id: str = ""
    # Where the pool's public keys are read: derived from the pool in AWS; the local stack's
    # moto server serves them at its own address (infra/local/provision.py sets it).
    cognito_jwks_url: str = ""

    @property
    def jwks_url(self) -> str:
        """The URL of the user pool's JSON Web Key Set (the keys its tokens are signed with)."""
        # Only the local and test stages read keys elsewhere (moto's key is public: nowhere
        # else may a token signed with it be accepted).
        if self.cognito_jwks_url and self.is_local:
            return self.cognito_jwks_url
        return f"{self.cognito_issuer}/.well-known/jwks.json"

    @property
    def cognito_issuer(self) -> str:
        """The ``iss`` of the pool's tokens (moto uses the same form as AWS)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.cognito_user_pool_id}"

    @property
    def is_local(self) -> bool:
        """True on the developer's machine, where the mailbox and environment keys exist."""
        return self.stage in ("local", "test")

    def public_url(self, path: str) -> str:
        """An absolute link for mail and pages: the configured base, never the Host header."""
        return self.public_base_url.rstrip("/") + "/" + path.lstrip("/")


def _text(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise SettingsError(f"setting {name} is not set")
    return value


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SettingsError(f"setting {name} must be a whole number, not {raw!r}") from error


# Inside one Lambda invocation the environment cannot change: ``once_per_invocation`` (the
# app's middleware) keeps the first reading here for the length of the invocation. Reading the
# environment costs about 1 us a variable, and a submission asks for the settings ten times.
_pinned: ContextVar[list[Settings] | None] = ContextVar("settings", default=None)

# In Lambda it cannot change for the life of the container either (a change of the function's
# configuration starts new containers), so there the first good reading serves every invocation.
_container_reading: list[Settings] = []


def get_settings() -> Settings:
    """The settings: read now, or as first read in this invocation (see
    :func:`once_per_invocation`). Nothing is cached across invocations or stages."""
    pinned = _pinned.get()
    if pinned is None:
        return read_settings()
    if not pinned:
        pinned.append(read_settings())
    return pinned[0]


@contextmanager
def once_per_invocation() -> Iterator[None]:
    """Within the block, the settings are read from the environment once, when first asked for
    (in Lambda: once per container)."""
    token = _pinned.set(_container_reading if in_lambda() else [])
    try:
        yield
    finally:
        _pinned.reset(token)


def read_settings() -> Settings:
    """Read the settings from the environment now."""
    stage = _text("MIEUX_STAGE", "local")
    if stage not in STAGES:
        raise SettingsError(f"MIEUX_STAGE must be one of {', '.join(STAGES)}, not {stage!r}")
    return Settings(
        stage=stage,
        region=_text("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")),
        table_name=_text("TABLE_NAME"),
        review_queue_url=_text("REVIEW_QUEUE_URL"),
        notify_queue_url=_text("NOTIFY_QUEUE_URL"),
        public_base_url=_text("PUBLIC_BASE_URL"),
        sender_email=_text("SENDER_EMAIL", "mieux@example.org"),
        ses_configuration_set=os.environ.get("SES_CONFIGURATION_SET", ""),
        signing_keys_secret_id=os.environ.get("SIGNING_KEYS_SECRET_ID", ""),
        link_max_age_days=_number("LINK_MAX_AGE_DAYS", 21),
        decision_rule=_text("DECISION_RULE", "unanimous"),
        positive_silence_days=_number("POSITIVE_SILENCE_DAYS", 0),
        retention_days=_number("RETENTION_DAYS", 730),
        reminder_days=_number("REMINDER_DAYS", 7),
        escalation_days=_number("ESCALATION_DAYS", 14),
        information_expiry_days=_number("INFORMATION_EXPIRY_DAYS", 30),
        rate_limit_per_hour=_number("RATE_LIMIT_PER_HOUR", 20),
        stuck_submission_minutes=_number("STUCK_SUBMISSION_MINUTES", 15),
        still_under_review_days=_number("STILL_UNDER_REVIEW_DAYS", 30),
        sweep_lookback_days=_number("SWEEP_LOOKBACK_DAYS", 3),
        draft_days=_number("DRAFT_DAYS", 30),
        draft_reminder_days=_number("DRAFT_REMINDER_DAYS", 5),
        review_dlq_url=os.environ.get("REVIEW_DLQ_URL", ""),
        notify_dlq_url=os.environ.get("NOTIFY_DLQ_URL", ""),
        cognito_user_pool_id=os.environ.get("COGNITO_USER_POOL_ID", ""),
        cognito_client_id=os.environ.get("COGNITO_CLIENT_ID", ""),
        cognito_jwks_url=os.environ.get("COGNITO_JWKS_URL", ""),
    )


def stage_name() -> str:
    """The stage alone (``MIEUX_STAGE``, ``local`` by default), for what must work even when
    another setting is missing: a metric's ``Stage`` dimension (functions/runtime/metrics.py)."""
    return os.environ.get("MIEUX_STAGE") or "local"


def deploy_time_name(variable: str, default: str) -> str:
    """A resource name Chalice needs while it reads ``app.py`` to build the deployment.

    Event-source decorators (``on_sqs_message(queue=...)``) are evaluated when Chalice packages
    the app, outside any Lambda, so the stage's runtime environment does not exist yet. ``make
    deploy`` exports these variables from the stack's outputs; the default is the local name.
    This is the one deliberate read of the environment at import time.
    """
    return os.environ.get(variable, default)


def stage_at_import() -> str:
    """The stage as seen while ``app.py`` is imported, to decide which routes exist at all.

    Deliberately read at import, unlike every other setting: routes are fixed when Chalice
    builds the app, so a route that must exist only in one stage (the local mailbox) is
    registered or not at that moment. ``chalice local --stage local`` and ``chalice package``
    both put the stage's ``environment_variables`` from ``.chalice/config.json`` into the
    environment before they import ``app.py``. The default is the empty string, not
    ``"local"``: an import without any stage variable (a bare ``import app``, a tool) must never
    get the development-only routes.
    """
    return os.environ.get("MIEUX_STAGE", "")


def aws_endpoint_url() -> str:
    """The AWS endpoint override (moto on a laptop), or ``""`` in AWS."""
    return os.environ.get("AWS_ENDPOINT_URL", "")
