"""The slim Lambda build: pruned, precompiled dependencies that ``chalice`` packages and deploys.

Chalice's default package is ~26 MB unzipped, almost all of it botocore's models of 400 services
this project never calls, and it ships no bytecode, so every cold start compiles every module
(Lambda's file system is read-only: the compiled code is thrown away each time). This build makes
a copy of the project that Chalice packages as it is:

- ``vendor/`` holds the dependencies (pip, for the Lambda platform, pinned to the versions this
  virtualenv tests with), ``functions/`` and ``schemas/``; Chalice copies it to the zip root;
- the SDK is shipped, not taken from the runtime: botocore pinned to the version the tests ran
  with, keeping the models of :data:`SERVICES` only, and ``endpoints.json`` those services only.
  Each cold start lists botocore's service folders and parses ``endpoints.json``: with 4 services
  instead of 400 that is about 60 ms less than the runtime's copy (``make bench``);
- the dependencies ship as bytecode only (``module.pyc`` in place of ``module.py``), compiled
  without docstrings (``-OO``) and without column tables (``-X no_debug_ranges``): a third of
  their size. A traceback through them still names the file and line (of the pinned version);
  the app's own code (``app.py``, ``functions/``) keeps its sources, with ``unchecked-hash``
  bytecode beside them;
- bytecode only loads in the Python it was compiled by: this interpreter, which also runs
  ``chalice``, which picks the Lambda runtime (python3.X) from its own version;
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
SERVICES = ("dynamodb", "sqs", "sesv2", "secretsmanager", "cognito-idp")

# Files at the top of botocore/data that botocore reads when it creates a session or a client.
BOTOCORE_DATA_FILES = (
    "_retry.json",
    "endpoints.json",
    "partitions.json",
    "sdk-default-configuration.json",
)

# Not needed at run time: documentation examples, test suites and benchmarks, stale bytecode, and
# dateutil's own copy of the time zone database (botocore only uses its UTC and local zones).
PRUNED_FILES = ("examples-1.json", "dateutil-zoneinfo.tar.gz")
PRUNED_DIRS = ("tests", "benchmarks", "__pycache__")

# The app's own code: shipped with its sources, so that tracebacks show its lines.
OWN_CODE = ("functions", "schemas")

# What the Lambda runtime provides (/var/runtime: boto3, botocore and their dependencies). The
# package ships its own (above); the bench's floor and its stand-in for /var/runtime use these.
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


def compile_dependencies(site: Path) -> None:
    """The dependencies as bytecode only: ``module.pyc`` in place of ``module.py``.

    ``compileall`` in a child interpreter, because ``-X no_debug_ranges`` (no column tables:
    tracebacks lose their ``^^^`` markers, which need the source anyway) is a setting of the
    interpreter; ``-b`` puts each ``.pyc`` where its source was, ``-o 2`` drops docstrings.
    """
    own = {site / name for name in (*OWN_CODE, "app.py")}
    mine = "|".join(re.escape(str(path)) for path in sorted(own))
    command = [sys.executable, "-X", "no_debug_ranges", "-m", "compileall", "-q", "-b", "-o", "2"]
    arguments = ["-d", RUNTIME_ROOT, "-x", f"^({mine})", str(site)]
    # our interpreter, the standard library's compileall
    subprocess.run([*command, *arguments], check=True)  # noqa: S603
    for path in site.rglob("*.py"):
        if not any(path.is_relative_to(path_) for path_ in own):
            path.unlink()


def compile_own_code(site: Path) -> None:
    """Bytecode beside the app's own sources, never checked against them (they cannot change)."""
    for name in OWN_CODE:
        ok = compileall.compile_dir(
            str(site / name),
            ddir=f"{RUNTIME_ROOT}/{name}",
            quiet=2,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not ok:
            raise SystemExit("compileall failed")


def strip_extensions(site: Path) -> None:
    """Drop the symbol tables of compiled extensions (rpds: 1.06 MB -> 0.71 MB), as ``strip``
    does for any shipped binary; skipped, with a note, where binutils is not installed."""
    strip = shutil.which("strip")
    extensions = sorted(site.rglob("*.so"))
    if strip is None:
        print("infra.build: no `strip` (binutils): extensions keep their symbols", file=sys.stderr)
        return
    for extension in extensions:
        # A strip for another architecture than the package's refuses the file and leaves it as
        # it was: the package is still right, only larger.
        done = subprocess.run(  # noqa: S603  (binutils, fixed arguments)
            [strip, "--strip-unneeded", str(extension)], capture_output=True, check=False
        )
        if done.returncode != 0:
            print(
                f"infra.build: {extension.name} kept its symbols (strip refused it)",
                file=sys.stderr,
            )


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
    """The app's own packages, copied (not linked) so that their bytecode stays out of the repo.

    Not the operators' command line (``functions/ops``): it runs from a checkout, never in Lambda;
    nor the in-memory repository (``adapters/dynamodb/fake.py``), which only tests install.
    """
    patterns = shutil.ignore_patterns("__pycache__", "*.pyc", "*.po", "*.pot", ".*")

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(patterns(folder, names))
        if Path(folder) == ROOT / "functions":
            skipped.add("ops")
        if Path(folder) == ROOT / "functions" / "adapters" / "dynamodb":
            skipped.add("fake.py")
        return skipped

    for name in OWN_CODE:
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


def project_dir(stage: str) -> Path:
    """Where :func:`prepare` builds the slim copy of a stage by default."""
    return BUILD / "slim" / stage


def prepare(stage: str = "dev", project: Path | None = None) -> Path:
    """Build the slim copy of the project for ``stage``; return its directory."""
    project = project or project_dir(stage)
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
    prune_botocore(vendor)
    strip_extensions(vendor)
    compile_dependencies(vendor)
    copy_code(vendor)
    compile_own_code(vendor)
    compile_file(project / "app.py", vendor, "app.py")
    # Chalice adds its own runtime (chalice/__init__.py, chalice/app.py) to the zip, as sources.
    import chalice
    import chalice.app

    for module in (chalice, chalice.app):
        source = Path(str(module.__file__))
        compile_file(source, vendor, f"chalice/{source.name}")
    return project


def chalice_command() -> Path:
    """The chalice of this interpreter: the runtime it picks follows this Python's version."""
    return Path(sys.executable).with_name("chalice")


def chalice_package(
    project: Path,
    out: Path,
    stage: str = "dev",
    merge_template: Path | None = None,
    quiet: bool = False,
) -> Path:
    """``chalice package`` of ``project`` into ``out`` (emptied first); the zip's path.

    ``quiet`` keeps chalice's output (for the bench and the tests, which show it on failure)."""
    out = out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    command = [str(chalice_command()), "--project-dir", str(project), "package", "--stage", stage]
    if merge_template is not None:
        command += ["--merge-template", str(merge_template.resolve())]
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")}
    subprocess.run(  # noqa: S603  (our chalice, fixed arguments)
        [*command, str(out)], check=True, env=env, capture_output=quiet, timeout=900
    )
    return out / "deployment.zip"


def package(stage: str, out: Path, merge_template: Path | None = None) -> Path:
    """``chalice package`` of the slim copy into ``out`` (deployment.zip + sam.json)."""
    return chalice_package(prepare(stage), out, stage, merge_template)


def services_called(source: Path = ROOT / "functions") -> set[str]:
    """Every service named in ``client("<service>"`` in the code the package ships, for the check
    against SERVICES (the operators' command, ``functions/ops``, is not shipped: it runs with the
    full SDK of a checkout)."""
    pattern = re.compile(r"""client\(\s*["']([a-z0-9-]+)["']""")
    return {
        name
        for path in source.rglob("*.py")
        if "ops" not in path.relative_to(source).parts[:1]
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m infra.build --stage dev --out build/package``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, default=BUILD / "package")
    parser.add_argument("--merge-template", type=Path)
    parser.add_argument(
        "--project-only",
        action="store_true",
        help="build the slim project copy and print its path (for chalice deploy)",
    )
    args = parser.parse_args(argv)
    if args.project_only:
        print(prepare(args.stage))
        return
    print(package(args.stage, args.out, args.merge_template))


if __name__ == "__main__":
    main()
