"""`make run`'s stack over real HTTP: it starts, serves, runs queue handlers, stops clean."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.local import run
from infra.local.run import LocalSystem, port_is_free
from tests.e2e.helpers import ROOT, all_mail, aws, http
from tests.support import example_request

pytestmark = pytest.mark.slow


def eventually(check: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def queue_depth(stack: LocalSystem, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    got = aws(stack, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)
    return sum(int(got["Attributes"][name]) for name in names)


def mail_json(stack: LocalSystem) -> list[dict[str, Any]]:
    status, _, body = http("GET", f"{stack.base_url}/_dev/mail.json")
    assert status == 200, body
    return all_mail(stack.base_url)


def test_the_app_answers_and_takes_a_request(local_stack: LocalSystem) -> None:
    status, _, body = http("GET", f"{local_stack.base_url}/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    document = {**example_request(), "submission_id": str(uuid.uuid4())}
    status, _, body = http("POST", f"{local_stack.base_url}/requests", document)
    assert status == 201, body
    answer = json.loads(body)
    assert answer["status_url"].startswith(f"{local_stack.base_url}/requests/{answer['id']}")


def test_the_review_worker_consumes_the_review_task(local_stack: LocalSystem) -> None:
    if "review_tasks" not in local_stack.workers["queues"]:
        pytest.skip("the app registers no review_tasks handler yet")
    review_queue = local_stack.env["REVIEW_QUEUE_URL"]
    eventually(lambda: queue_depth(local_stack, review_queue) == 0, what="an idle review queue")
    document = {**example_request(), "submission_id": str(uuid.uuid4())}
    status, _, body = http("POST", f"{local_stack.base_url}/requests", document)
    assert status == 201, body
    eventually(lambda: queue_depth(local_stack, review_queue) == 0, what="the task consumed")
    assert queue_depth(local_stack, local_stack.env["REVIEW_DLQ_URL"]) == 0


def test_the_mailbox_shows_every_kind_of_sent_mail(local_stack: LocalSystem) -> None:
    from email.message import EmailMessage

    marker = uuid.uuid4().hex[:8]
    sender = local_stack.env["SENDER_EMAIL"]
    ses, sesv2 = aws(local_stack, "ses"), aws(local_stack, "sesv2")
    ses.send_email(
        Source=sender,
        Destination={"ToAddresses": [f"v1-{marker}@example.org"]},
        Message={
            "Subject": {"Data": f"v1 {marker} <b>bold</b>"},
            "Body": {"Text": {"Data": f"Open {local_stack.base_url}/review/{marker} now."}},
        },
    )
    raw = EmailMessage()
    raw["Subject"], raw["From"], raw["To"] = f"raw {marker}", sender, f"raw-{marker}@example.org"
    raw.set_content("text part")
    raw.add_alternative(f'<p><a href="{local_stack.base_url}/x">x</a></p>', subtype="html")
    ses.send_raw_email(RawMessage={"Data": raw.as_bytes()})
    sesv2.send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [f"v2-{marker}@example.org"]},
        Content={
            "Simple": {
                "Subject": {"Data": f"v2 {marker}"},
                "Body": {"Html": {"Data": "<p>v2 html</p>"}},
            }
        },
    )

    mine = [m for m in mail_json(local_stack) if marker in m["subject"]]
    by_subject = {m["subject"].split()[0]: m for m in mine}
    assert set(by_subject) == {"v1", "raw", "v2"}
    assert by_subject["v1"]["to"] == [f"v1-{marker}@example.org"]
    assert by_subject["v1"]["links"] == [f"{local_stack.base_url}/review/{marker}"]
    assert by_subject["raw"]["text"].strip() == "text part"
    assert by_subject["raw"]["links"] == [f"{local_stack.base_url}/x"]
    assert by_subject["v2"]["html"] == "<p>v2 html</p>"
    assert by_subject["v1"]["sequence"] < by_subject["v2"]["sequence"]

    status, headers, page = http("GET", f"{local_stack.base_url}/_dev/mail")
    assert status == 200
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none' covers it
    text = page.decode()
    assert f"v1 {marker} &lt;b&gt;bold&lt;/b&gt;" in text
    assert f'<a href="{local_stack.base_url}/review/{marker}">' in text


def test_a_taken_app_port_is_refused_with_a_clear_message(capsys: Any) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert run.main(["--port", str(port)]) == 2
    assert f"Port {port} is taken" in capsys.readouterr().err


TEST_APP = textwrap.dedent(
    '''
    """A stand-in app whose handlers record what reached them."""
    import json, os, pathlib
    from chalice import Blueprint, Chalice, Rate

    workers = Blueprint(__name__)
    OUT = pathlib.Path(os.environ["RECORD_DIR"])

    @workers.on_sqs_message(queue="mieux-local-review-tasks", batch_size=1)
    def review_tasks(event):
        for record in event:
            raw = record.to_dict()
            (OUT / f"sqs-{raw['messageId']}.json").write_text(json.dumps(raw))

    @workers.schedule(Rate(15, unit=Rate.MINUTES))
    def sweeper(event):
        (OUT / "sweeps").open("a").write("x")

    app = Chalice(app_name="stand-in")
    app.register_blueprint(workers)

    @app.route("/")
    def index():
        return {"app": "stand-in"}
    '''
)


def stand_in_project(tmp_path: Path) -> tuple[Path, Path]:
    project, records = tmp_path / "project", tmp_path / "records"
    (project / ".chalice").mkdir(parents=True)
    records.mkdir()
    (project / "app.py").write_text(TEST_APP, encoding="utf-8")
    config = {
        "version": "2.0",
        "app_name": "stand-in",
        "stages": {"local": {"environment_variables": {"RECORD_DIR": str(records)}}},
    }
    (project / ".chalice" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return project, records


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_any_apps_handlers_run_and_stop_leaves_nothing_behind(tmp_path: Path) -> None:
    project, records = stand_in_project(tmp_path)
    log = (tmp_path / "stack.log").open("wb")
    stack = LocalSystem(project_dir=project, sweep_seconds=0.3, output=log)
    with stack:
        assert stack.workers["queues"] == {"review_tasks": "mieux-local-review-tasks"}
        assert stack.workers["schedules"] == ["sweeper"]
        status, _, body = http("GET", f"{stack.base_url}/")
        assert (status, json.loads(body)) == (200, {"app": "stand-in"})

        sqs = aws(stack, "sqs")
        sent = sqs.send_message(QueueUrl=stack.env["REVIEW_QUEUE_URL"], MessageBody='{"id": 1}')
        record_file = records / f"sqs-{sent['MessageId']}.json"
        eventually(record_file.exists, what="the handler called")
        record = json.loads(record_file.read_text())
        assert record["body"] == '{"id": 1}'
        assert record["eventSourceARN"].endswith(":mieux-local-review-tasks")
        eventually(lambda: queue_depth(stack, stack.env["REVIEW_QUEUE_URL"]) == 0, what="deleted")
        eventually((records / "sweeps").exists, what="the sweeper ran")
        pids, ports = stack.pids, (stack.app_port, stack.moto_port)
        assert all(alive(pid) for pid in pids) and len(pids) == 3

    assert not [pid for pid in pids if alive(pid)]
    assert all(port_is_free(port) for port in ports)
    # A second start on the same ports works, and starts clean.
    with LocalSystem(
        app_port=ports[0], moto_port=ports[1], project_dir=project, output=log
    ) as again:
        assert queue_depth(again, again.env["REVIEW_QUEUE_URL"]) == 0
        assert http("GET", f"{again.base_url}/")[0] == 200
    assert all(port_is_free(port) for port in ports)
    log.close()


def processes_mentioning(*needles: str) -> list[int]:
    """Processes whose command line holds every needle (what a leftover child would show)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if all(needle in command for needle in needles):
            found.append(int(entry.name))
    return found


def test_make_run_prints_what_is_where_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    app_port, moto_port = run.free_port(), run.free_port()
    command = [sys.executable, "-m", "infra.local.run", "--port", str(app_port)]
    command += ["--moto-port", str(moto_port)]
    output = (tmp_path / "run.log").open("w+")
    supervisor = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        eventually(lambda: "Press Ctrl-C" in (tmp_path / "run.log").read_text(), timeout=60)
        printed = (tmp_path / "run.log").read_text()
        for where in ("/_dev/mail", f"http://localhost:{app_port}/", f"127.0.0.1:{moto_port}"):
            assert where in printed
        assert "every `make run` starts clean" in printed
        assert http("GET", f"http://127.0.0.1:{app_port}/health")[0] == 200
        children = processes_mentioning(str(app_port)) + processes_mentioning("-p", str(moto_port))
        assert len(children) >= 2

        supervisor.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert supervisor.wait(timeout=30) == 0
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert "Stopped: no process left, ports freed." in (tmp_path / "run.log").read_text()
    assert not [pid for pid in children if alive(pid)]
    assert port_is_free(app_port) and port_is_free(moto_port)
