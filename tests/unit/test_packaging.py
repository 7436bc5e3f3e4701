"""Figure 2 (infra/bench/size.py): what counts as the workspace's JOSE libraries, and the
verdicts of each row. The package itself is built and measured in
tests/integration/test_packaging.py and by the bench."""

from __future__ import annotations

import zipfile
from pathlib import Path

from infra.bench import size
from infra.bench.size import Part, Split

MB = 1_000_000


def test_the_jose_libraries_are_told_apart_by_their_top_level_name() -> None:
    jose = [
        "cryptography/hazmat/bindings/_rust.abi3.so",
        "cryptography-50.0.2.dist-info/RECORD",
        "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
        "cffi/api.pyc",
        "pycparser/c_parser.pyc",
        "joserfc/jwt.pyc",
    ]
    others = [
        "functions/adapters/cognito.py",  # ours: the code that uses them
        "cffi_helpers/x.pyc",
        "jinja2/environment.pyc",
        "botocore/data/cognito-idp/2016-04-18/service-2.json.gz",
        "app.py",
    ]
    assert all(size.of_jose_stack(name) for name in jose)
    assert not any(size.of_jose_stack(name) for name in others)


def test_a_package_is_split_by_the_bytes_of_each_part(tmp_path: Path) -> None:
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("app.py", "x = 1\n" * 100)
        out.writestr("cryptography/__init__.pyc", b"\0" * 5_000)
        out.writestr("joserfc/jwt.pyc", b"\1" * 3_000)
        out.writestr("functions/domain/requests.pyc", b"\2" * 2_000)
        out.writestr("jinja2/environment.pyc", b"\3" * 1_000)
    parts = size.split(archive)
    assert parts.own.unzipped == 2_600 and parts.jose.unzipped == 8_000
    assert parts.rest.unzipped == 1_000
    assert 0 < parts.jose.zipped < 8_000 and 0 < parts.own.zipped < 2_600
    assert parts.whole.unzipped == size.sizes(archive)[0]


def _part(mb: float) -> Part:
    return Part(int(mb * MB), int(mb * MB / 3))


def _split(rest: float, jose: float, own: float = 2.5) -> Split:
    return Split(_part(rest), _part(jose), _part(own))


def test_the_dependencies_are_held_to_a_quarter_of_the_defaults() -> None:
    naive = _split(25.5, 16.1, own=1.9)
    passing = [row.verdict for row in size.table(_split(5.1, 13.5), naive)]
    assert passing == ["pass", "pass", "pass", "pass", "pass"]
    # Neither the JOSE libraries nor our code count against the quarter; every dependency does.
    assert size.table(_split(6.5, 13.5), naive)[0].verdict == "FAIL"
    assert size.table(_split(5.1, 13.5, own=3.9), naive)[0].verdict == "pass"


def test_our_own_code_has_a_budget() -> None:
    naive = _split(25.5, 16.1, own=1.9)
    assert size.table(_split(5.1, 13.5, own=3.9), naive)[2].verdict == "pass"
    assert size.table(_split(5.1, 13.5, own=4.1), naive)[2].verdict == "FAIL"


def test_the_jose_libraries_have_their_own_budget_and_the_whole_lambdas_limit() -> None:
    naive = _split(27.5, 16.1)
    assert size.table(_split(5.0, 14.5), naive)[3].verdict == "FAIL"
    assert size.table(_split(5.0, 263.0), naive)[4].verdict == "FAIL"
    assert size.table(_split(5.0, 13.5), naive)[4].verdict == "pass"
