"""``ops dlq``: what waits in the dead-letter queues, and moving it back to be processed."""

from __future__ import annotations

import json
import sys

import click

from functions.adapters import queue
from functions.runtime.settings import get_settings

IDS = ("type", "request_id", "round", "mail_kind", "recipient", "key")


def queues() -> dict[str, tuple[str, str]]:
    """Each DLQ's name and (its URL, its source queue's URL)."""
    settings = get_settings()
    found = {
        "review": (settings.review_dlq_url, settings.review_queue_url),
        "notifications": (settings.notify_dlq_url, settings.notify_queue_url),
    }
    missing = [name for name, (dlq, _) in found.items() if not dlq]
    if missing:
        raise click.ClickException(
            "REVIEW_DLQ_URL / NOTIFY_DLQ_URL are not set: use --stage, or --env-file with the "
            "local stack's build/local/env.json"
        )
    return found


@click.group("dlq")
def dlq() -> None:
    """The dead-letter queues (messages that failed five times)."""


def summary(body: str) -> str:
    """A message's ids (messages hold ids only; anything else is left out all the same)."""
    try:
        message = json.loads(body)
    except ValueError:
        return f"(not JSON: {len(body)} characters)"
    if not isinstance(message, dict):
        return "(not an object)"
    return " ".join(f"{k}={message[k]}" for k in IDS if k in message)


@dlq.command("list")
@click.option("--show", default=10, type=click.IntRange(0, 10), help="Messages shown per queue.")
def list_dlqs(show: int) -> None:
    """The depth of each DLQ and the ids in its first messages (left on the queue)."""
    for name, (url, _) in queues().items():
        click.echo(f"{name}: {queue.depth(url)} message(s)  ({url.rsplit('/', 1)[-1]})")
        for body in queue.peek(url, show) if show else []:
            click.echo(f"  {summary(body)}")


@dlq.command("redrive")
@click.option("--queue", "name", required=True, type=click.Choice(["review", "notifications"]))
def redrive(name: str) -> None:
    """Move a DLQ's messages back to their queue (safe: every consumer tolerates redelivery)."""
    url, source = queues()[name]
    waiting = queue.depth(url)
    if waiting == 0:
        click.echo(f"{name}: the DLQ is empty")
        return
    stderr = sys.stderr
    with click.progressbar(length=waiting, label=f"Moving {name}", file=stderr) as bar:
        moved, kept = queue.move_messages(url, source, lambda _moved: bar.update(1))
    click.echo(f"{name}: {moved} message(s) moved back to {source.rsplit('/', 1)[-1]}")
    if kept:
        click.echo(f"{name}: {kept} message(s) break their schema and stay in the DLQ")
