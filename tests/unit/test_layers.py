"""The storage seam holds: only adapters know the table, and the domain knows nothing around it.

Imports are read with ``ast`` (lazy imports inside functions too), not by matching text.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"

ABOVE_THE_SEAM = ("services", "web", "workers", "domain")
STORAGE = ("pynamodb", "botocore", "functions.adapters.store", "functions.adapters.dynamodb.models")
AROUND_THE_DOMAIN = (
    "functions.adapters",
    "functions.services",
    "functions.web",
    "functions.presentation",
    "chalice",
    "boto3",
)
KEY_PREFIXES = (
    *("REQ#", "VOTE#", "MAIL#", "SUB#", "SEQ#", "EVT#", "RATE#", "SUPPRESS#"),
    *("MEMBER#", "OFFICER#"),
)
KEY_WORDS = ("META",)
FAKE = "functions.adapters.dynamodb.fake"


def module_name(path: Path) -> str:
    """The dotted name of a module file under the project root."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(*layers: str) -> Iterator[Path]:
    """Every module of the given packages of functions/ (all of functions/ if none given)."""
    roots = [FUNCTIONS / layer for layer in layers] if layers else [FUNCTIONS]
    for root in roots:
        yield from sorted(root.rglob("*.py"))


def imported(path: Path, as_module: str | None = None) -> set[str]:
    """Every module a file imports, anywhere in it; ``from a import b`` counts a and a.b.

    Relative imports resolve from the file's module (or ``as_module``, a module's name).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (as_module or module_name(path)).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def forbidden(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    """The imported names that are, or lie inside, one of ``prefixes``."""
    return sorted(
        name for name in names if any(name == p or name.startswith(p + ".") for p in prefixes)
    )


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the constants that are docstrings (prose may describe the key layout)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def key_literals(path: Path) -> list[str]:
    """The string constants of a file (f-string parts included) that spell a table key."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = docstrings(tree)
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and (any(p in node.value for p in KEY_PREFIXES) or node.value in KEY_WORDS)
    ]
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return [f"{node.lineno}: {node.value!r}" for node in found]


def offences(layers: tuple[str, ...], prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    found = {module_name(path): forbidden(imported(path), prefixes) for path in modules(*layers)}
    return {module: names for module, names in found.items() if names}


def test_no_layer_above_the_seam_imports_the_storage() -> None:
    assert offences(ABOVE_THE_SEAM, STORAGE) == {}


def test_no_layer_above_the_seam_spells_a_table_key() -> None:
    found = {module_name(path): key_literals(path) for path in modules(*ABOVE_THE_SEAM)}
    assert {module: keys for module, keys in found.items() if keys} == {}


def test_the_domain_imports_nothing_around_it() -> None:
    assert offences(("domain",), AROUND_THE_DOMAIN) == {}


def test_no_code_path_imports_the_in_memory_fake() -> None:
    users = {
        module_name(path)
        for path in modules()
        if module_name(path) != FAKE and forbidden(imported(path), (FAKE,))
    }
    assert users == set()


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The readers find lazy, relative and from-imports, and keys in f-strings, not in prose."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Items live under REQ#<id>."""\n'
        "from ..adapters import store\n"
        "def f(i):\n"
        "    import pynamodb.models\n"
        '    return f"VOTE#{i}", "META", "METADATA"\n',
        encoding="utf-8",
    )
    names = imported(sample, as_module="functions.services.sample")
    assert forbidden(names, STORAGE) == ["functions.adapters.store", "pynamodb.models"]
    assert key_literals(sample) == ["5: 'VOTE#'", "5: 'META'"]
