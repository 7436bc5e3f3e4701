"""The Lambda package Chalice builds holds what the app needs, and nothing else of the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What the Lambda runtime provides beside the package: boto3 and its dependencies.
RUNTIME_PROVIDED = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six.py", "urllib3")


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package")
    chalice = Path(sys.executable).with_name("chalice")
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"}
    subprocess.run(
        [str(chalice), "package", "--stage", "dev", str(out / "build")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    with zipfile.ZipFile(out / "build" / "deployment.zip") as archive:
        archive.extractall(out / "task")
    return out / "task"


@pytest.mark.slow
def test_the_package_imports_and_finds_the_schemas(unzipped: Path, tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site = Path(__import__("boto3").__file__).resolve().parent.parent
    for name in RUNTIME_PROVIDED:
        if (site / name).exists() and not (unzipped / name).exists():
            (runtime / name).symlink_to(site / name)
    probe = (
        "import sys; sys.path[:] = [sys.argv[1], sys.argv[2]] + "
        "[p for p in sys.path if 'site-packages' not in p and p]\n"
        "import app, functions.schemas as s, functions.core.reference as r\n"
        "assert s.SCHEMA_DIR.is_relative_to(sys.argv[1]), s.SCHEMA_DIR\n"
        "s.validator('request.schema.json'); s.validator('messages/review_task.schema.json')\n"
        "assert len(r.reference_data().countries) > 100\n"
        "import jsonschema, pynamodb, jinja2, itsdangerous\n"
        "assert all(m.__file__.startswith(sys.argv[1]) for m in (jsonschema, pynamodb, jinja2))\n"
        "print('ok', len(app.app.routes))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(unzipped), str(runtime)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


@pytest.mark.slow
def test_the_package_holds_no_tests_or_infrastructure(unzipped: Path) -> None:
    top = {path.name for path in unzipped.iterdir()}
    assert {"app.py", "functions", "schemas"} <= top
    assert not top & {"tests", "infra", ".chalice", "Makefile", "docs"}


@pytest.mark.slow
def test_the_deployed_api_has_no_local_mailbox(unzipped: Path) -> None:
    # `chalice package --stage dev` imports app.py with the dev stage's variables: no /_dev route.
    template = (unzipped.parent / "build" / "sam.json").read_text(encoding="utf-8")
    assert '"/requests"' in template
    assert "/_dev" not in template
