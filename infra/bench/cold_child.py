"""The child of a cold start (figure 1 of ``make bench``): one Lambda's first event, timed.

Run by path in a fresh ``python -I -S -B`` (nothing of the virtualenv on the path; no bytecode
written between runs, as on Lambda's read-only file system)::

    python -I -S -B infra/bench/cold_child.py TASK RUNTIME MODE ENTRY CLIENTS VALIDATORS IMPORTS

It prints the milliseconds from before its first import of the app (or of botocore, for the
floor) to ready-to-serve. ``MODE`` is ``floor`` (the runtime's SDK alone creating the clients)
or ``app`` (the package: the handler's module, the modules imported on use, the validators, the
clients). The lists are comma-separated. It imports nothing but the standard library before the
clock starts, and nothing of this repository: the package under ``TASK`` is what it measures.
"""

from __future__ import annotations

import importlib
import sys
import time

REGION = "eu-west-1"


def listed(value: str) -> list[str]:
    """The items of a comma-separated argument (none for an empty one)."""
    return [item for item in value.split(",") if item]


def floor(services: list[str]) -> None:
    """What a function that ships nothing of its own does: botocore creating the clients."""
    import botocore.session

    session = botocore.session.get_session()
    for service in services:
        session.create_client(service, region_name=REGION)


def app(entry: str, services: list[str], validators: list[str], imports: list[str]) -> None:
    """The package's Lambda up to its first event: imports, validators, clients."""
    importlib.import_module(entry)  # the handler's module, as Lambda imports it (sam.json)
    from functions.adapters import aws
    from functions.adapters.dynamodb import models
    from functions.domain import schemas

    for module in imports:
        importlib.import_module(module)
    for path in validators:
        schemas.validator(path)
    for service in services:
        if service == "dynamodb":
            # pynamodb creates its botocore client on first use: create it now, as the first
            # event would.
            _ = models.connection().client
        else:
            aws.client(service, REGION)


def main(argv: list[str]) -> float:
    """Set the path as Lambda does, run one first event; milliseconds taken."""
    started = time.perf_counter()
    task, runtime, mode, entry, services, validators, imports = argv
    # The floor is the runtime's SDK alone: what a function that ships nothing of its own gets.
    shipped = [runtime] if mode == "floor" else [task, runtime]
    sys.path[:] = shipped + [p for p in sys.path if p and "site-packages" not in p]
    if mode == "floor":
        floor(listed(services))
    else:
        app(entry, listed(services), listed(validators), listed(imports))
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    print(main(sys.argv[1:]))
