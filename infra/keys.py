"""Rotate the link-signing keys of a stage: add a new key, keep the previous ones for a while.

    python -m infra.keys rotate --stage prod [--keep 2]

The secret holds a comma-separated list, oldest first. Links are signed with the newest key and
accepted with any listed key, so links already in inboxes keep working after a rotation until the
oldest key is dropped. With ``--keep 2`` a key lives through one rotation: rotate at most once per
``LINK_MAX_AGE_DAYS`` (21 by default) and no valid link is ever cut off. Running functions pick
the new key up within five minutes (their cache).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import Any

import boto3


def rotated(current: str, keep: int) -> str:
    """The secret's new value: the current keys plus a fresh one, at most ``keep`` in all."""
    if keep < 2:
        raise ValueError("keep at least two keys, or every link already sent stops working")
    keys = [key.strip() for key in current.split(",") if key.strip()]
    keys.append(secrets.token_hex(32))  # 64 letters and digits, like the generated first key
    return ",".join(keys[-keep:])


def rotate(client: Any, secret_id: str, keep: int = 2) -> int:
    """Add a key to the secret; return how many keys it now holds."""
    current = client.get_secret_value(SecretId=secret_id)["SecretString"]
    value = rotated(current, keep)
    client.put_secret_value(SecretId=secret_id, SecretString=value)
    return value.count(",") + 1


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m infra.keys", description=__doc__)
    parser.add_argument("command", choices=["rotate"])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--keep", type=int, default=2)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    parser.add_argument("--region", default=region)
    args = parser.parse_args(argv)
    client = boto3.client("secretsmanager", region_name=args.region)
    count = rotate(client, f"mieux-{args.stage}-signing-keys", args.keep)
    print(f"mieux-{args.stage}-signing-keys now holds {count} key(s); new links use the newest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
