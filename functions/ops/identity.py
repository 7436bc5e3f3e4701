"""Who runs the operator command, for the audit trail: the AWS principal of its credentials.

The free-text ``--by`` is gone: anyone could type any name. The credentials the command runs
with are what AWS itself records (CloudTrail names the same principal), so the audit trail
says ``operator:<ARN>`` (``arn:aws:sts::<account>:assumed-role/<role>/<session>``), from one
STS GetCallerIdentity call, which needs no permission.
"""

from __future__ import annotations

import os
from functools import cache

import boto3
import click
from botocore.exceptions import BotoCoreError, ClientError


@cache
def operator_actor() -> str:
    """``operator:<ARN of the caller>``; a ClickException if the credentials say nobody."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    try:
        sts = boto3.client(
            "sts", region_name=region, endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None
        )
        arn = str(sts.get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError, KeyError) as error:
        raise click.ClickException(
            f"cannot tell who runs this command (STS GetCallerIdentity failed: {error})"
        ) from None
    return f"operator:{arn}"
