"""What Lambda does for the app's queue and schedule handlers, done locally against moto.

``chalice local`` serves HTTP routes only. This process imports the app the way ``chalice local``
does (the stage's environment variables first), finds every ``on_sqs_message`` and ``schedule``
handler the app registered (blueprints included), and then, like Lambda's event source mapping:

- one poller per queue receives messages, calls the handler with a Lambda-shaped SQS event
  (each record with its own ``messageId`` and ``receiptHandle``), and deletes the batch only if
  the handler returned. On an exception it leaves the messages alone: the queue's visibility
  timeout makes them visible again, and its redrive policy moves them to the dead-letter queue
  after ``maxReceiveCount`` receives (moto does that on receive, as SQS does);
- a sweeper calls each schedule handler with a scheduled event every few seconds.

One invocation runs at a time (a lock), as in one Lambda container. Log lines carry ids only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
LOG = logging.getLogger("workers")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class QueueSource:
    """An SQS handler of the app and the queue it listens to (by name)."""

    function: str
    queue: str
    batch_size: int


@dataclass(frozen=True)
class ScheduleSource:
    """A scheduled handler of the app and its schedule expression (for the log)."""

    function: str
    expression: str


def queue_sources(app: Any) -> list[QueueSource]:
    """The app's ``on_sqs_message`` handlers, from the event sources Chalice collected."""
    from chalice.app import SQSEventConfig

    found = []
    for source in app.event_sources:
        if isinstance(source, SQSEventConfig):
            queue = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
            found.append(QueueSource(source.name, queue, int(source.batch_size or 1)))
    return found


def schedule_sources(app: Any) -> list[ScheduleSource]:
    """The app's ``schedule`` handlers."""
    from chalice.app import ScheduledEventConfig

    found = []
    for source in app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            expression = source.schedule_expression
            text = expression if isinstance(expression, str) else expression.to_string()
            found.append(ScheduleSource(source.name, text))
    return found


def other_sources(app: Any) -> list[str]:
    """Handlers this process does not run (SNS, S3, ...), to say so instead of staying silent."""
    from chalice.app import ScheduledEventConfig, SQSEventConfig

    return [
        f"{source.name} ({type(source).__name__.removesuffix('EventConfig')})"
        for source in app.event_sources
        if not isinstance(source, (SQSEventConfig, ScheduledEventConfig))
    ]


def lambda_context(function: str) -> Any:
    """The context object Lambda passes (Chalice's local stand-in)."""
    from chalice.local import LambdaContext

    return LambdaContext(function, memory_size=512)


def sqs_event(messages: Iterable[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping delivers for ``messages``."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes", {})),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value.get("DataType", "String"),
                    }
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def scheduled_event(function: str, region: str) -> dict[str, Any]:
    """The event EventBridge delivers to a scheduled Lambda."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": [f"arn:aws:events:{region}:123456789012:rule/{function}"],
        "detail": {},
    }


def _where(error: BaseException) -> str:
    """The innermost frame of a failure: enough to find it, without the message (may hold data)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} at {Path(last.filename).name}:{last.lineno}"


class Poller:
    """Receives from one queue and hands each batch to one handler, as Lambda does."""

    def __init__(
        self,
        sqs: Any,
        function: str,
        handler: Handler,
        queue_url: str,
        region: str,
        batch_size: int = 1,
        lock: threading.Lock | None = None,
    ) -> None:
        self.sqs = sqs
        self.function = function
        self.handler = handler
        self.queue_url = queue_url
        self.region = region
        self.batch_size = max(1, min(batch_size, 10))
        self.lock = lock or threading.Lock()
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        self.queue_arn: str = attributes["Attributes"]["QueueArn"]

    def poll_once(self, wait_seconds: int = 1) -> int:
        """Receive one batch, invoke the handler, delete it on success. Returns how many came."""
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0
        ids = ",".join(m["MessageId"] for m in messages)
        receives = ",".join(
            m.get("Attributes", {}).get("ApproximateReceiveCount", "?") for m in messages
        )
        started = time.monotonic()
        try:
            with self.lock:
                # The handler's return value (batchItemFailures) is ignored: Chalice does not turn
                # on ReportBatchItemFailures, so in AWS a batch also succeeds or fails whole.
                self.handler(
                    sqs_event(messages, self.queue_arn, self.region), lambda_context(self.function)
                )
        except Exception as error:
            LOG.warning(
                "%s: message %s (receive %s) failed: %s; left on the queue for redelivery",
                self.function,
                ids,
                receives,
                _where(error),
            )
            return len(messages)
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        elapsed = (time.monotonic() - started) * 1000
        LOG.info(
            "%s: message %s (receive %s) done in %.0f ms, deleted",
            self.function,
            ids,
            receives,
            elapsed,
        )
        return len(messages)

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; a failing receive (moto going away) is retried."""
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception as error:
                if stop.is_set():
                    return
                LOG.error("%s: receive failed: %s", self.function, _where(error))
                stop.wait(1.0)


class Sweeper:
    """Calls the schedule handlers every ``interval`` seconds instead of on their real rate."""

    def __init__(
        self, handlers: dict[str, Handler], region: str, interval: float, lock: threading.Lock
    ) -> None:
        self.handlers = handlers
        self.region = region
        self.interval = interval
        self.lock = lock

    def sweep_once(self) -> None:
        """Invoke every schedule handler once; a failure is logged and the next one still runs."""
        for function, handler in self.handlers.items():
            try:
                with self.lock:
                    handler(scheduled_event(function, self.region), lambda_context(function))
            except Exception as error:
                LOG.warning("%s: scheduled run failed: %s", function, _where(error))
            else:
                LOG.debug("%s: scheduled run done", function)

    def run(self, stop: threading.Event) -> None:
        """Sweep every ``interval`` seconds until ``stop`` is set."""
        while not stop.wait(self.interval):
            self.sweep_once()


def load_app(project_dir: Path, stage: str) -> Any:
    """Import ``app.py`` as ``chalice local`` does: stage environment variables set first."""
    from chalice.cli.factory import CLIFactory

    sys.path.insert(0, str(project_dir))
    factory = CLIFactory(str(project_dir), environ=os.environ)
    return factory.create_config_obj(chalice_stage_name=stage).chalice_app


def start(
    app: Any, region: str, sweep_seconds: float, stop: threading.Event
) -> tuple[list[threading.Thread], dict[str, Any]]:
    """Start a poller per queue handler and the sweeper; return the threads and what runs."""
    sqs = boto3.session.Session().client("sqs", region_name=region)
    lock = threading.Lock()
    threads = []
    queues = {}
    for source in queue_sources(app):
        try:
            url = sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            raise SystemExit(
                f"[workers] {source.function} listens on queue {source.queue!r}, which the "
                "provisioned stack does not have: check infra/stack.yaml and the queue name"
            ) from None
        poller = Poller(
            sqs,
            source.function,
            app.handler_map[source.function],
            url,
            region,
            source.batch_size,
            lock,
        )
        queues[source.function] = source.queue
        threads.append(threading.Thread(target=poller.run, args=(stop,), name=source.function))
    schedules = {s.function: app.handler_map[s.function] for s in schedule_sources(app)}
    if schedules:
        sweeper = Sweeper(schedules, region, sweep_seconds, lock)
        threads.append(threading.Thread(target=sweeper.run, args=(stop,), name="sweeper"))
    for thread in threads:
        thread.start()
    described = {"queues": queues, "schedules": sorted(schedules), "not_run": other_sources(app)}
    return threads, described


def shorten_mail_lease(seconds: int) -> None:
    """Set the mail service's claim lease (functions/services/mail.py, 120 s) for this process.

    In AWS a message a dead worker held comes back after the queue's 180 s, when the 120 s lease
    has ended, and the redelivery takes the send over. A local run that shortens the visibility
    timeout shortens the lease with it, keeping lease < visibility timeout; it is safe here
    because one process runs one invocation at a time, so no live send can be taken over.
    """
    from functions.services import mail

    mail.LEASE_SECONDS = seconds
    LOG.info("mail lease %s s (the queues' visibility timeout is shorter than in AWS)", seconds)


def main(argv: list[str] | None = None) -> int:
    """Run the pollers and the sweeper until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--project-dir", type=Path, default=ROOT)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--sweep-seconds", type=float, default=20.0)
    parser.add_argument("--ready-file", type=Path, help="written (JSON) once every poller runs")
    parser.add_argument(
        "--mail-lease-seconds",
        type=int,
        default=0,
        help="the mail claim's lease, shorter than the queues' visibility timeout (load faults)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[workers] %(message)s", stream=sys.stdout)
    logging.getLogger("botocore").setLevel(logging.WARNING)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    app = load_app(args.project_dir, args.stage)
    if args.mail_lease_seconds:
        shorten_mail_lease(args.mail_lease_seconds)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    threads, described = start(app, region, args.sweep_seconds, stop)
    for function, queue in described["queues"].items():
        LOG.info("polling %s for %s", queue, function)
    for function in described["schedules"]:
        LOG.info("running %s every %g s", function, args.sweep_seconds)
    for other in described["not_run"]:
        LOG.info("not run locally: %s", other)
    if args.ready_file:
        partial = args.ready_file.with_suffix(".partial")
        partial.write_text(json.dumps(described), encoding="utf-8")
        partial.replace(args.ready_file)  # atomic: the supervisor never reads half of it
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
