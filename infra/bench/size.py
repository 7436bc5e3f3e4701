"""Figure 2 of ``make bench``: the slim package against Chalice's default, unzipped and zipped."""

from __future__ import annotations

import zipfile
from pathlib import Path

from infra.bench.packaging import Packages
from infra.bench.report import Row, fmt_mb, verdict

TARGET = 0.25  # of Chalice's default package, unzipped

HOW = (
    "2. **Package size**: the sum of the file sizes in deployment.zip, and the zip itself;"
    " against `chalice package` of the repository as it is."
)


def sizes(archive: Path) -> tuple[int, int]:
    """(unzipped, zipped) bytes of a deployment package."""
    with zipfile.ZipFile(archive) as opened:
        unzipped = sum(info.file_size for info in opened.infolist())
    return unzipped, archive.stat().st_size


def rows(packages: Packages) -> list[Row]:
    """The unzipped and zipped rows."""
    slim_size, naive_size = sizes(packages.slim_zip), sizes(packages.naive_zip)
    return [
        Row(
            "2. package size, unzipped",
            fmt_mb(slim_size[0]),
            f"{fmt_mb(naive_size[0])} (Chalice's default)",
            f"{slim_size[0] / naive_size[0]:.3f}",
            f"<= {TARGET}",
            verdict(slim_size[0] / naive_size[0] <= TARGET),
        ),
        Row(
            "2. package size, zipped",
            fmt_mb(slim_size[1]),
            f"{fmt_mb(naive_size[1])} (Chalice's default)",
            f"{slim_size[1] / naive_size[1]:.3f}",
            "(smaller)",
            verdict(slim_size[1] < naive_size[1]),
        ),
    ]
