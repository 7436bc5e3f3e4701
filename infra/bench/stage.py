"""What every figure of ``make bench`` runs in: Lambda's environment, a moto stack, progress."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from infra import build
from infra.local.run import environment

ROOT = build.ROOT
WORK = build.BUILD / "bench"
REGION = "eu-west-1"

# A Lambda container's environment (dummy credentials: nothing reaches AWS), for the children of
# the cold start and CPU figures and for the moto stack of the calls and scale figures.
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "MIEUX_STAGE": "test",
    "TABLE_NAME": "mieux-bench",
    "REVIEW_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/review",
    "NOTIFY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/notify",
    "PUBLIC_BASE_URL": "https://mieux.example.org",
    "SIGNING_KEYS": "bench-key-0123456789abcdef0123456789abcdef",
}


def log(message: str) -> None:
    """Progress on stderr: the bench takes minutes."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def moto_stack() -> Iterator[dict[str, str]]:
    """A fresh moto account provisioned from infra/stack.yaml, its environment set."""
    with environment(DUMMY_ENV):
        from moto import mock_aws

        from functions.adapters import aws
        from infra.local.provision import provision

        aws.reset_clients()
        with mock_aws():
            env = provision(stage="local", public_base_url="https://mieux.example.org")
            env["MIEUX_STAGE"] = "test"
            with environment(env):
                yield env
        aws.reset_clients()
