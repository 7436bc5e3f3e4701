"""The slim Lambda build: pruned, precompiled dependencies that ``chalice`` packages and deploys.

Chalice's default package is ~26 MB unzipped, almost all of it botocore's models of 400 services
this project never calls, and it ships no bytecode, so every cold start compiles every module
(Lambda's file system is read-only: the compiled code is thrown away each time). This build makes
a copy of the project that Chalice packages as it is:

- ``vendor/`` holds the dependencies (pip, for the Lambda platform, pinned to the versions this
  virtualenv tests with), ``functions/`` and ``schemas/``; Chalice copies it to the zip root;
- botocore keeps the models of the services in :data:`SERVICES` only, and ``endpoints.json`` keeps
  those services only (it is parsed on every cold start, once per botocore session);
- every module has a ``.pyc`` compiled with ``--invalidation-mode unchecked-hash`` by this
  interpreter, which is also the one that runs chalice, so the runtime (python3.X) matches;
- ``requirements.txt`` is empty, so Chalice adds nothing of its own.

``python -m infra.build --stage dev --out build/package`` runs ``chalice package`` there
(deployment.zip + sam.json); :func:`prepare` returns the project copy, for ``chalice deploy``
(``chalice --project-dir <copy> deploy --stage dev``). The copy's ``.chalice/deployed`` is a link
to the repository's, so deployments keep their state between builds.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# Every AWS service the Lambda functions call (pynamodb: dynamodb). A test checks the code against
# this list; a client for a service missing here fails at creation with UnknownServiceError.
SERVICES = ("dynamodb", "sqs", "ses", "sesv2", "secretsmanager", "sns")

# Files at the top of botocore/data that botocore reads when it creates a session or a client.
BOTOCORE_DATA_FILES = (
    "_retry.json",
    "endpoints.json",
    "partitions.json",
    "sdk-default-configuration.json",
)

# Not needed at run time: documentation examples, test suites, type stubs.
PRUNED_FILES = ("examples-1.json",)
PRUNED_DIRS = ("tests", "__pycache__")

# What the Lambda runtime provides (/var/runtime: boto3, botocore and their dependencies). pynamodb
# pulls them in; the slim build drops them (-14 MB unzipped with bytecode). ``--bundle-sdk`` keeps
# them instead, pinned to the versions the tests run with and pruned to SERVICES.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
RUNTIME_DISTRIBUTIONS = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)

LAMBDA_PLATFORM = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
RUNTIME_ROOT = "/var/task"  # where Lambda unpacks the package: the paths tracebacks show


def python_tag() -> str:
    """``3.11`` for the interpreter running the build (Chalice picks the runtime the same way)."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def pins(names: Iterable[str] = RUNTIME_DISTRIBUTIONS) -> list[str]:
    """``name==version`` for packages as installed here: the versions the tests ran with."""
    found = []
    for name in names:
        try:
            found.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def install_dependencies(target: Path, architecture: str = "x86_64") -> None:
    """pip-install requirements.txt for the Lambda platform into ``target`` (wheels only)."""
    constraints = target.parent / "constraints.txt"
    constraints.write_text("\n".join(pins()) + "\n", encoding="utf-8")
    version = python_tag()
    subprocess.run(  # noqa: S603  (our interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            "--only-binary=:all:",
            "--platform",
            LAMBDA_PLATFORM[architecture],
            "--implementation",
            "cp",
            "--python-version",
            version,
            "--abi",
            f"cp{version.replace('.', '')}",
            "-r",
            str(ROOT / "requirements.txt"),
            "-c",
            str(constraints),
        ],
        check=True,
    )
    constraints.unlink()


def prune_botocore(site: Path, services: Iterable[str] = SERVICES) -> None:
    """Keep botocore's models of ``services`` only, and their entries in ``endpoints.json``."""
    data = site / "botocore" / "data"
    keep = set(services) | set(BOTOCORE_DATA_FILES)
    for entry in data.iterdir():
        if entry.name not in keep:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    missing = [name for name in keep if not (data / name).exists()]
    if missing:
        raise SystemExit(f"botocore has no data for {missing}")
    endpoints_file = data / "endpoints.json"
    endpoints = json.loads(endpoints_file.read_text(encoding="utf-8"))
    for partition in endpoints["partitions"]:
        partition["services"] = {
            name: value for name, value in partition["services"].items() if name in services
        }
    endpoints_file.write_text(json.dumps(endpoints, separators=(",", ":")), encoding="utf-8")


def prune(site: Path) -> None:
    """Remove what no Lambda reads: documentation examples, bundled tests, stale bytecode."""
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir() and path.name in PRUNED_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and path.name in PRUNED_FILES:
            path.unlink()
    # pip --target leaves scripts; nothing on Lambda runs them. RECORD is pip's uninstall list.
    shutil.rmtree(site / "bin", ignore_errors=True)
    for record in site.glob("*.dist-info/RECORD"):
        record.unlink()


def drop_runtime_provided(site: Path) -> None:
    """Remove what the Lambda runtime already has (boto3, botocore and their dependencies)."""
    for name in RUNTIME_PROVIDED:
        shutil.rmtree(site / name, ignore_errors=True)
        (site / f"{name}.py").unlink(missing_ok=True)
    for distribution in RUNTIME_DISTRIBUTIONS:
        pattern = f"{distribution.replace('-', '_')}-*.dist-info"
        for info in site.glob(pattern):
            shutil.rmtree(info)


def compile_tree(site: Path) -> None:
    """Bytecode for every module, never checked against its source (the source cannot change)."""
    ok = compileall.compile_dir(
        str(site),
        ddir=RUNTIME_ROOT,
        quiet=2,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        raise SystemExit("compileall failed")


def compile_file(source: Path, site: Path, relative: str) -> None:
    """Bytecode for a module Chalice adds itself (``app.py``, its ``chalice`` runtime).

    ``vendor/`` lands at the zip root, so ``vendor/__pycache__/app...pyc`` sits beside ``app.py``.
    """
    module = Path(relative)
    cache = site / module.parent / "__pycache__"
    cache.mkdir(parents=True, exist_ok=True)
    tag = sys.implementation.cache_tag
    py_compile.compile(
        str(source),
        cfile=str(cache / f"{module.stem}.{tag}.pyc"),
        dfile=f"{RUNTIME_ROOT}/{relative}",
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def copy_code(vendor: Path) -> None:
    """The app's own packages, copied (not linked) so that their bytecode stays out of the repo."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.po", "*.pot", ".*")
    for name in ("functions", "schemas"):
        shutil.copytree(ROOT / name, vendor / name, ignore=ignore)


def copy_chalice_config(project: Path) -> None:
    """The stages and policies; ``deployed/`` links to the repository's (deployment state)."""
    source = ROOT / ".chalice"
    target = project / ".chalice"
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.is_file():
            shutil.copy2(entry, target / entry.name)
    deployed = source / "deployed"
    deployed.mkdir(exist_ok=True)
    (target / "deployed").symlink_to(deployed)


def architecture_of(stage: str) -> str:
    """The Lambda architecture of a stage in .chalice/config.json (Chalice's default: x86_64)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    stage_config = config.get("stages", {}).get(stage, {})
    return str(stage_config.get("lambda_architecture", config.get("lambda_architecture", "x86_64")))


def project_dir(stage: str, bundle_sdk: bool = False) -> Path:
    """Where :func:`prepare` builds the slim copy of a stage by default."""
    return BUILD / ("slim-sdk" if bundle_sdk else "slim") / stage


def prepare(stage: str = "dev", project: Path | None = None, bundle_sdk: bool = False) -> Path:
    """Build the slim copy of the project for ``stage``; return its directory.

    ``bundle_sdk``: ship botocore (pruned, pinned) instead of using the Lambda runtime's.
    """
    project = project or project_dir(stage, bundle_sdk)
    if project.exists():
        shutil.rmtree(project)
    vendor = project / "vendor"
    vendor.mkdir(parents=True)
    copy_chalice_config(project)
    shutil.copy2(ROOT / "app.py", project / "app.py")
    (project / "requirements.txt").write_text(
        "# Empty on purpose: infra/build.py puts the dependencies into vendor/.\n", encoding="utf-8"
    )
    install_dependencies(vendor, architecture_of(stage))
    prune(vendor)
    if bundle_sdk:
        prune_botocore(vendor)
    else:
        drop_runtime_provided(vendor)
    copy_code(vendor)
    compile_tree(vendor)
    compile_file(project / "app.py", vendor, "app.py")
    import chalice
    import chalice.app

    for module in (chalice, chalice.app):
        source = Path(str(module.__file__))
        compile_file(source, vendor, f"chalice/{source.name}")
    return project


def chalice_command() -> Path:
    """The chalice of this interpreter: the runtime it picks follows this Python's version."""
    return Path(sys.executable).with_name("chalice")


def package(
    stage: str, out: Path, merge_template: Path | None = None, bundle_sdk: bool = False
) -> Path:
    """``chalice package`` of the slim copy into ``out`` (deployment.zip + sam.json)."""
    project = prepare(stage, bundle_sdk=bundle_sdk)
    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)
    command = [str(chalice_command()), "--project-dir", str(project), "package", "--stage", stage]
    if merge_template is not None:
        command += ["--merge-template", str(merge_template.resolve())]
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")}
    subprocess.run([*command, str(out)], check=True, env=env)  # noqa: S603  (our chalice)
    return out / "deployment.zip"


def services_called(source: Path = ROOT / "functions") -> set[str]:
    """Every service named in ``client("<service>"`` in the code, for the check against SERVICES."""
    pattern = re.compile(r"""client\(\s*["']([a-z0-9-]+)["']""")
    return {
        name
        for path in source.rglob("*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m infra.build --stage dev --out build/package``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, default=BUILD / "package")
    parser.add_argument("--merge-template", type=Path)
    parser.add_argument(
        "--bundle-sdk",
        action="store_true",
        help="ship botocore (pruned to the services used, pinned) instead of the runtime's",
    )
    parser.add_argument(
        "--project-only",
        action="store_true",
        help="build the slim project copy and print its path (for chalice deploy)",
    )
    args = parser.parse_args(argv)
    if args.project_only:
        print(prepare(args.stage, bundle_sdk=args.bundle_sdk))
        return
    print(package(args.stage, args.out, args.merge_template, args.bundle_sdk))


if __name__ == "__main__":
    main()
