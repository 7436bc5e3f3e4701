"""Figure 2 of ``make bench``: the slim package against Chalice's default, unzipped and zipped.

The staff workspace verifies its sessions (the user pool's RS256 tokens) with joserfc, which
needs cryptography (and cryptography cffi): 13.5 MB unzipped, almost all of it cryptography's
compiled Rust library, which no build can slim. Both packages ship it, Chalice's default too
(the naive reference grows with the same requirements). It is imported on use, by the
workspace's views only, so the public API's cold start does not load it (figure 1, and
tests/integration/test_packaging.py). Figure 2 therefore measures the package without the JOSE
libraries against Chalice's default without them (the target of a quarter kept), and the JOSE
libraries as their own row, with the whole package against Lambda's own limit. Why they stay in
the one package rather than the workspace becoming a function of its own: docs/performance.md.

Our own code (functions/, app.py) is a row of its own too, with a budget rather than a ratio: the
quarter measures what the build slims (the dependencies: botocore trimmed, no tests, no sources
where bytecode serves), and our code is not slimmed but grows with every feature. The slim build
ships it as sources and bytecode (Lambda's /var/task is read-only: without bytecode every cold
start compiles every module it imports, and tracebacks need the sources), so it weighs more than
Chalice's sources alone; its budget says when it grows past what an API of this size should.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import NamedTuple

from infra.bench.packaging import Packages
from infra.bench.report import Row, fmt_mb, verdict

TARGET = 0.25  # of Chalice's default package's dependencies, unzipped, both without JOSE
# The workspace's token verification: joserfc, and cryptography with what it needs (cffi and its
# compiled backend, pycparser). Counted by top-level name in the zip, their metadata included.
JOSE_STACK = ("cryptography", "cffi", "_cffi_backend", "pycparser", "joserfc")
JOSE_BUDGET = 14_000_000  # unzipped: cryptography 50's wheel for Lambda's platform, and joserfc
# Our code as shipped (sources, bytecode, catalogs, templates, static files): 2.4 MB before the
# workspace's Action, committee, reports, outcome and experts pages; room for about as much again.
OWN_CODE = ("functions", "schemas", "app.py")
OWN_BUDGET = 4_000_000
LAMBDA_LIMIT = 250 * 1024 * 1024  # a function's code, unzipped (AWS Lambda's quotas)

HOW = (
    "2. **Package size**: the sum of the file sizes in deployment.zip, and of their compressed"
    " sizes; against `chalice package` of the repository as it is (Chalice's default, with the"
    " same requirements). The workspace's JOSE libraries (joserfc, cryptography, cffi,"
    " pycparser: the RS256 verification of the user pool's tokens, imported on use) are counted"
    " apart in both packages, and so is our own code (functions/, app.py: sources and bytecode,"
    " with a budget): the dependencies without them against Chalice's default's without them"
    " (target a quarter), then our code, the JOSE libraries and the whole package against"
    " Lambda's limit of 250 MiB unzipped."
)


class Part(NamedTuple):
    """Bytes of some of a package's files: unzipped, and compressed in the zip."""

    unzipped: int
    zipped: int


class Split(NamedTuple):
    """A package in three: the dependencies (without JOSE), our own code, the JOSE libraries."""

    rest: Part
    jose: Part
    own: Part = Part(0, 0)

    @property
    def whole(self) -> Part:
        """The whole package."""
        parts = (self.rest, self.jose, self.own)
        return Part(sum(p.unzipped for p in parts), sum(p.zipped for p in parts))


def of_jose_stack(name: str) -> bool:
    """Whether a path in the package belongs to the workspace's JOSE libraries."""
    top = name.split("/", 1)[0]
    return any(top == part or top.startswith((f"{part}-", f"{part}.")) for part in JOSE_STACK)


def of_own_code(name: str) -> bool:
    """Whether a path in the package is our own code (not a dependency)."""
    return name.split("/", 1)[0] in OWN_CODE


def sizes(archive: Path) -> tuple[int, int]:
    """(unzipped, zipped) bytes of a deployment package."""
    with zipfile.ZipFile(archive) as opened:
        unzipped = sum(info.file_size for info in opened.infolist())
    return unzipped, archive.stat().st_size


def split(archive: Path) -> Split:
    """The package's bytes: the dependencies without JOSE, the JOSE libraries, our code."""
    with zipfile.ZipFile(archive) as opened:
        entries = opened.infolist()
    jose = [e for e in entries if of_jose_stack(e.filename)]
    own = [e for e in entries if of_own_code(e.filename)]
    rest = [e for e in entries if not of_jose_stack(e.filename) and not of_own_code(e.filename)]

    def part(chosen: list[zipfile.ZipInfo]) -> Part:
        return Part(sum(e.file_size for e in chosen), sum(e.compress_size for e in chosen))

    return Split(part(rest), part(jose), part(own))


def rows(packages: Packages) -> list[Row]:
    """The figure's rows, from both packages."""
    return table(split(packages.slim_zip), split(packages.naive_zip))


def table(slim: Split, naive: Split) -> list[Row]:
    """The dependencies (unzipped, zipped), our code, the JOSE libraries, the whole package."""
    ratio = slim.rest.unzipped / naive.rest.unzipped
    return [
        Row(
            "2. package size: the dependencies without the workspace's JOSE libraries, unzipped",
            fmt_mb(slim.rest.unzipped),
            f"{fmt_mb(naive.rest.unzipped)} (Chalice's default's, without them)",
            f"{ratio:.3f}",
            f"<= {TARGET}",
            verdict(ratio <= TARGET),
        ),
        Row(
            "2. package size: the dependencies without the JOSE libraries, zipped",
            fmt_mb(slim.rest.zipped),
            f"{fmt_mb(naive.rest.zipped)} (Chalice's default's, without them)",
            f"{slim.rest.zipped / naive.rest.zipped:.3f}",
            "(smaller)",
            verdict(slim.rest.zipped < naive.rest.zipped),
        ),
        Row(
            "2. our own code (functions/, schemas/, app.py: sources, bytecode, catalogs)",
            f"{fmt_mb(slim.own.unzipped)} ({fmt_mb(slim.own.zipped)} zipped)",
            f"{fmt_mb(naive.own.unzipped)} in Chalice's default (sources only)",
            f"{slim.own.unzipped / naive.own.unzipped:.3f}" if naive.own.unzipped else "-",
            f"<= {fmt_mb(OWN_BUDGET)}",
            verdict(slim.own.unzipped <= OWN_BUDGET),
        ),
        Row(
            "2. the workspace's JOSE libraries (joserfc, cryptography, cffi), unzipped:"
            " RS256 verification of the staff's tokens, imported on use",
            f"{fmt_mb(slim.jose.unzipped)} ({fmt_mb(slim.jose.zipped)} zipped)",
            f"{fmt_mb(naive.jose.unzipped)} in Chalice's default",
            f"{slim.jose.unzipped / naive.jose.unzipped:.3f}",
            f"<= {fmt_mb(JOSE_BUDGET)}",
            verdict(slim.jose.unzipped <= JOSE_BUDGET),
        ),
        Row(
            "2. the whole package, unzipped (zipped)",
            f"{fmt_mb(slim.whole.unzipped)} ({fmt_mb(slim.whole.zipped)})",
            f"{fmt_mb(naive.whole.unzipped)} ({fmt_mb(naive.whole.zipped)}) Chalice's default",
            f"{slim.whole.unzipped / LAMBDA_LIMIT:.3f} of Lambda's limit",
            f"<= 250 MiB ({fmt_mb(LAMBDA_LIMIT)}, Lambda's limit)",
            verdict(slim.whole.unzipped <= LAMBDA_LIMIT),
        ),
    ]
