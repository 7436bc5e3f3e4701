"""The packages the bench measures: the slim one (infra/build.py) and Chalice's default, each
unzipped as Lambda unzips it into /var/task, and a stand-in for the runtime's /var/runtime.

Shared with tests/integration/test_packaging.py, which runs the slim package the same way.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import botocore

from infra import build
from infra.bench.stage import ROOT, WORK, log


@dataclass(frozen=True)
class Packages:
    """Both packages, zipped and unzipped, and the runtime they run against."""

    slim_zip: Path
    naive_zip: Path
    slim_task: Path
    naive_task: Path
    runtime: Path


def unzip(archive: Path, target: Path) -> Path:
    """Extract a deployment package, as Lambda does into /var/task."""
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(target)
    return target


def runtime_dir(target: Path) -> Path:
    """A stand-in for /var/runtime: the SDK this virtualenv tests with, nothing else.

    The package ships its own botocore, which must win (Lambda searches /var/task first)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    site = Path(botocore.__file__).resolve().parent.parent
    for name in build.RUNTIME_PROVIDED:
        for candidate in (site / name, site / f"{name}.py"):
            if candidate.exists():
                (target / candidate.name).symlink_to(candidate)
    return target


def builds() -> Packages:
    """Both packages, built and unzipped, and the stand-in runtime."""
    log("building the slim package (infra/build.py) and Chalice's default one")
    slim_project = build.prepare("dev", project=WORK / "slim-project")
    slim_zip = build.chalice_package(slim_project, WORK / "slim", quiet=True)
    naive_zip = build.chalice_package(ROOT, WORK / "naive", quiet=True)
    return Packages(
        slim_zip=slim_zip,
        naive_zip=naive_zip,
        slim_task=unzip(slim_zip, WORK / "slim-task" / "task"),
        naive_task=unzip(naive_zip, WORK / "naive-task" / "task"),
        runtime=runtime_dir(WORK / "runtime"),
    )
