"""``make run``: the whole service on this machine, on loopback, with no AWS account.

One supervisor starts, in one process group of its own: moto server (the AWS services), then
provisions the stage from ``infra/stack.yaml`` in moto's CloudFormation, seeds the committee,
and starts ``chalice local`` (the HTTP routes) and the workers (a poller per SQS queue and the
sweeper, see ``infra/local/workers.py``). Ctrl-C or SIGTERM stops every child and frees the ports.
Everything lives in moto's memory: each start is a clean slate.

``LocalSystem`` is the same machinery as a context manager, for the end-to-end tests and the load
run. The workers run in a process group of their own, so a fault run can SIGKILL them
(``kill_workers``) and start them again (``start_workers``) while the rest keeps serving.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DEFAULT_APP_PORT = 8000
DEFAULT_MOTO_PORT = 5001
REGION = "eu-west-1"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


class StackError(RuntimeError):
    """The local stack could not start; the message says what to do."""


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True if a server could listen on ``port`` on loopback now (nothing holds it).

    SO_REUSEADDR as the servers set it: connections of a stopped server that linger in
    TIME_WAIT do not hold the port, a listening socket does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def _libc_prctl() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


_PRCTL = _libc_prctl()  # looked up here: the child between fork and exec must not import or load


def _die_with_parent() -> None:
    """In the child, before exec: be killed if the supervisor dies without cleaning up (Linux)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _wait_for_http(url: str, process: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{what} exited with status {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except urllib.error.HTTPError:
            return  # it answered: it is up
        except OSError:
            time.sleep(0.1)
    raise StackError(f"{what} did not answer at {url} within {timeout:.0f} s")


class LocalSystem:
    """moto, the provisioned stage, ``chalice local`` and the workers, started and stopped."""

    def __init__(
        self,
        app_port: int = 0,
        moto_port: int = 0,
        project_dir: Path = ROOT,
        stage: str = "local",
        sweep_seconds: float = 20.0,
        output: IO[bytes] | IO[str] | None = None,
        moto_output: IO[bytes] | IO[str] | None = None,
        extra_env: dict[str, str] | None = None,
        moto_module: str = "infra.local.moto_server",
        visibility_timeout: int = 0,
    ) -> None:
        self.extra_env = extra_env or {}  # settings for every child (the load run's rate limit)
        self.moto_module = moto_module  # moto's server, with DynamoDB serialised (moto_server.py)
        # Seconds, for every queue of the stage instead of the template's (0: the template's).
        # The load run's fault mode shortens it so that what a killed worker held comes back
        # within the run; the mail lease is shortened with it (see _start_workers).
        self.visibility_timeout = visibility_timeout
        self.app_port = app_port or free_port()
        self.moto_port = moto_port or free_port()
        self.project_dir = project_dir
        self.stage = stage
        self.sweep_seconds = sweep_seconds
        self.output = output
        self.moto_output = moto_output or output
        self.env: dict[str, str] = {}
        self.workers: dict[str, Any] = {}
        self.seeded = ""
        self.started_in = 0.0
        self.timings: dict[str, float] = {}  # seconds per start-up phase
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._group = 0
        self.worker_starts = 0  # how often the workers were started (restarts included)

    @property
    def base_url(self) -> str:
        """Where the app answers (what a browser opens)."""
        return f"http://localhost:{self.app_port}"

    @property
    def moto_url(self) -> str:
        """The AWS endpoint (moto server)."""
        return f"http://{HOST}:{self.moto_port}"

    @property
    def pids(self) -> list[int]:
        """The process ids of the children (moto, app, workers)."""
        return [process.pid for process in self._processes.values()]

    def __enter__(self) -> LocalSystem:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> LocalSystem:
        """Start everything; raise ``StackError`` (after cleaning up) if a part fails."""
        started = time.monotonic()
        for name, port in (("the app", self.app_port), ("moto", self.moto_port)):
            if not port_is_free(port):
                raise StackError(
                    f"port {port} for {name} is taken: stop what holds it, or pick another"
                )
        try:
            self._timed("moto", self._start_moto)
            self.env = self._timed("provision", self._provision)
            # The seed, the app and the workers are independent: start them together.
            seeding = self._start_seed()
            app = self._start_app()
            ready, workers = self._spawn_workers()
            self._timed("app", lambda: self._wait_for_app(app))
            self._timed("workers", lambda: self._wait_for_workers(ready, workers))
            self.seeded = self._timed("seed", lambda: self._wait_for_seed(seeding))
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - started
        return self

    def _timed(self, phase: str, step: Callable[[], T]) -> T:
        began = time.monotonic()
        result = step()
        self.timings[phase] = time.monotonic() - began
        return result

    def _spawn(
        self,
        name: str,
        command: list[str],
        env: dict[str, str] | None = None,
        output: IO[bytes] | IO[str] | None = None,
        own_group: bool = False,
    ) -> subprocess.Popen[bytes]:
        # The first child leads a new process group; the others join it, so one killpg reaches all
        # of them and none gets the terminal's Ctrl-C before the supervisor decides the order.
        # ``own_group``: a group of its own (the workers), which one killpg kills alone.
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
            command,
            cwd=self.project_dir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            stdin=subprocess.DEVNULL,
            process_group=0 if own_group else self._group,
            preexec_fn=_die_with_parent,
        )
        if not self._group and not own_group:
            self._group = process.pid
        self._processes[name] = process
        return process

    def _child_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(DUMMY_CREDENTIALS)
        env.update({"AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "PYTHONUNBUFFERED": "1"})
        env.update(self.extra_env)
        env.update(extra or {})
        return env

    def _start_moto(self) -> None:
        command = [sys.executable, "-m", self.moto_module, "-H", HOST, "-p", str(self.moto_port)]
        # Found from this repository whatever the project directory (tests run other apps).
        repository = str(Path(__file__).resolve().parents[2])
        env = self._child_env({"PYTHONPATH": repository})
        process = self._spawn("moto", command, env, self.moto_output)
        _wait_for_http(f"{self.moto_url}/moto-api/", process, "moto server", 30)

    def _provision(self) -> dict[str, str]:
        from infra.local.provision import provision

        with environment({**DUMMY_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}):
            env = provision(
                stage=self.stage,
                region=REGION,
                public_base_url=self.base_url,
                endpoint_url=self.moto_url,
            )
        env.update(
            {
                "MIEUX_STAGE": self.stage,
                "PUBLIC_BASE_URL": self.base_url,
                "AWS_ENDPOINT_URL": self.moto_url,
            }
        )
        if self.visibility_timeout:
            self._shorten_visibility(env)
        return env

    def _shorten_visibility(self, env: dict[str, str]) -> None:
        """Every queue of the stage gets ``visibility_timeout`` (a local override of the
        template's 180 s, which would bring a killed worker's message back after the run)."""
        import boto3

        sqs = boto3.client(
            "sqs",
            region_name=REGION,
            endpoint_url=self.moto_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 (moto's dummy credentials)
        )
        for name in ("REVIEW_QUEUE_URL", "NOTIFY_QUEUE_URL"):
            sqs.set_queue_attributes(
                QueueUrl=env[name],
                Attributes={"VisibilityTimeout": str(self.visibility_timeout)},
            )

    def _start_seed(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "infra.local.seed"],
            cwd=ROOT,
            env=self._child_env(self.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            process_group=self._group,
            preexec_fn=_die_with_parent,
        )

    @staticmethod
    def _wait_for_seed(process: subprocess.Popen[str]) -> str:
        try:
            printed, _ = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            raise StackError("seeding the committee took longer than 120 s") from None
        if process.returncode != 0:
            raise StackError(f"seeding the committee failed:\n{printed}")
        return printed.strip()

    def _start_app(self) -> subprocess.Popen[bytes]:
        command = [
            str(Path(sys.executable).with_name("chalice")),
            "local",
            "--stage",
            self.stage,
            "--no-autoreload",
            "--host",
            HOST,
            "--port",
            str(self.app_port),
        ]
        return self._spawn("app", command, self._child_env(self.env), self.output)

    def _wait_for_app(self, process: subprocess.Popen[bytes]) -> None:
        _wait_for_http(f"http://{HOST}:{self.app_port}/", process, "chalice local", 60)

    def _spawn_workers(self) -> tuple[Path, subprocess.Popen[bytes]]:
        ready = Path(tempfile.mkdtemp(prefix="mieux-workers-")) / "ready.json"
        command = [
            sys.executable,
            "-m",
            "infra.local.workers",
            "--project-dir",
            str(self.project_dir),
            "--stage",
            self.stage,
            "--sweep-seconds",
            str(self.sweep_seconds),
            "--ready-file",
            str(ready),
        ]
        if self.visibility_timeout:
            # The mail lease must end before a message comes back, as in AWS (120 s < 180 s), or
            # the redelivery of a send a killed worker held finds the claim still leased.
            lease = max(1, self.visibility_timeout * 2 // 3)
            command += ["--mail-lease-seconds", str(lease)]
        process = self._spawn(
            "workers",
            command,
            self._child_env({**self.env, "PYTHONPATH": str(ROOT)}),
            self.output,
            own_group=True,
        )
        self.worker_starts += 1
        return ready, process

    def kill_workers(self) -> None:
        """SIGKILL the workers' process group, as Lambda loses a container: no clean-up runs,
        what they held stays on the queues until the visibility timeout."""
        process = self._processes.get("workers")
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_workers(self) -> None:
        """Start the workers again (after ``kill_workers``); return once they poll."""
        ready, process = self._spawn_workers()
        self._wait_for_workers(ready, process)

    def _wait_for_workers(self, ready: Path, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 60
        try:
            while not ready.exists():
                if process.poll() is not None:
                    raise StackError(
                        f"the workers exited with status {process.returncode} while starting"
                    )
                if time.monotonic() > deadline:
                    raise StackError("the workers did not start within 60 s")
                time.sleep(0.05)
            self.workers = json.loads(ready.read_text(encoding="utf-8"))
        finally:
            shutil.rmtree(ready.parent, ignore_errors=True)

    def dead(self) -> str:
        """The name of a child that has exited, or ``""`` while all run."""
        for name, process in self._processes.items():
            if process.poll() is not None:
                return name
        return ""

    def stop(self, grace: float = 10.0) -> None:
        """Stop the workers, the app, then moto (SIGTERM, then SIGKILL); safe to call twice."""
        for name in ("workers", "app", "moto"):
            process = self._processes.get(name)
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=grace)
        groups = [self._group] if self._group else []
        workers = self._processes.get("workers")
        groups += [workers.pid] if workers is not None else []  # their own group
        for group in groups:
            # Anything the children started themselves is in their group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        self._processes.clear()
        self._group = 0


def describe(stack: LocalSystem) -> str:
    """What is where, and the demo in a few lines."""
    from infra.local.provision import CREATED_BY_HAND

    queues = stack.workers.get("queues", {})
    rows = [
        ("Request form", f"{stack.base_url}/"),
        ("API", f"{stack.base_url}/requests  (POST JSON)"),
        ("Mailbox", f"{stack.base_url}/_dev/mail"),
        ("AWS endpoint (moto)", f"{stack.moto_url}  (dashboard: {stack.moto_url}/moto-api/)"),
        ("moto's log", "build/local/moto.log"),
        ("Settings", "build/local/env.json  (python -m functions.ops --env-file ...)"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = ["", "MIEUX is running locally (no AWS account; nothing leaves this machine).", ""]
    lines += [f"  {label.ljust(width)}  {where}" for label, where in rows]
    lines += ["", "Queue workers:"]
    lines += [f"  {function} <- {queue}" for function, queue in queues.items()] or [
        "  (the app registers no SQS handler yet)"
    ]
    for function in stack.workers.get("schedules", []):
        lines.append(f"  {function} every {stack.sweep_seconds:.0f} s (instead of its schedule)")
    for other in stack.workers.get("not_run", []):
        lines.append(f"  not run locally: {other}")
    lines += ["", "Resources: infra/stack.yaml through moto's CloudFormation, except these, which"]
    lines += ["infra/local/provision.py creates itself:"] + [
        f"  {item}" for item in CREATED_BY_HAND
    ]
    lines += [f"{stack.seeded}", ""]
    lines += [
        "Try it:",
        f"  1. Submit a request at {stack.base_url}/ (or POST the schema's example to /requests).",
        f"  2. Open the mailbox {stack.base_url}/_dev/mail: a receipt, a review email per member.",
        "  3. Open a member's review link: it shows the request; press Approve (or Reject / Ask).",
        "  4. Do the same for every voting member; the decision email appears in the mailbox.",
        "  5. The status link in the receipt shows the decision.",
        "",
        "Data lives only in this process's memory: every `make run` starts clean.",
        f"Started in {stack.started_in:.1f} s. Press Ctrl-C to stop everything.",
        "",
    ]
    return "\n".join(lines)


def write_env_file(stack: LocalSystem, path: Path) -> None:
    """The running stack's settings, for the operator command (``--env-file``) and scripts."""
    values = {**stack.env, **DUMMY_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}
    path.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Start the stack, print what is where, wait for Ctrl-C or SIGTERM, stop everything."""
    parser = argparse.ArgumentParser(description="Run the whole service locally.")
    parser.add_argument("--port", type=int, default=DEFAULT_APP_PORT, help="the app's port")
    parser.add_argument(
        "--moto-port", type=int, default=0, help="moto's port (default 5001 or free)"
    )
    parser.add_argument("--sweep-seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    if not port_is_free(args.port):
        print(
            f"Port {args.port} is taken: stop what holds it (`ss -ltnp 'sport = :{args.port}'`) "
            f"or run on another port: `make run PORT=8080`.",
            file=sys.stderr,
        )
        return 2
    moto_port = args.moto_port or (DEFAULT_MOTO_PORT if port_is_free(DEFAULT_MOTO_PORT) else 0)

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    log_dir = ROOT / "build" / "local"
    log_dir.mkdir(parents=True, exist_ok=True)
    moto_log = (log_dir / "moto.log").open("wb")  # one line per AWS call: too chatty to show
    stack = LocalSystem(
        app_port=args.port,
        moto_port=moto_port,
        sweep_seconds=args.sweep_seconds,
        moto_output=moto_log,
    )
    print("Starting moto, provisioning from infra/stack.yaml, starting the app and the workers...")
    env_file = log_dir / "env.json"
    try:
        stack.start()
        write_env_file(stack, env_file)
        print(describe(stack), flush=True)
        while not (gone := stack.dead()):
            time.sleep(0.5)
        print(f"The {gone} process exited; stopping everything.", file=sys.stderr)
        return 1
    except StackError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        # A second Ctrl-C (people press it twice) must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        env_file.unlink(missing_ok=True)  # a stopped stack's settings point at nothing
        moto_log.close()
        print("Stopped: no process left, ports freed.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
