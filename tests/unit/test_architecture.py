"""Rules of the source tree that import-linter does not check: no module uses another module's ``_private`` names,
every import sits above the code, and no comment or docstring cites an issue number.

Each test names every offending place.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "lsnotify"
ISSUE_TAG = re.compile(r"\(\s*issues?\s+#?\d+", re.IGNORECASE)


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the package, with its dotted name."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module name of a ``from … import`` (relative imports included)."""
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_uses(module: str, path: Path, names: set[str]) -> Iterator[str]:
    """``from X import _name``, ``import X._name`` and ``m._name`` where X is another lsnotify module and ``m`` is
    bound to one (``names`` holds every module's name)."""
    tree = ast.parse(path.read_text(), str(path))
    bound: dict[str, str] = {}  # a local name -> the lsnotify module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = resolve(module, path, node)
            if source not in names or source == module:
                continue
            for alias in node.names:
                if is_private(alias.name):
                    yield f"{path}:{node.lineno}: from {source} import {alias.name}"
                elif f"{source}.{alias.name}" in names:
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "lsnotify":
                    if any(is_private(part) for part in alias.name.split(".")):
                        yield f"{path}:{node.lineno}: import {alias.name}"
                    if alias.asname:
                        bound[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and bound.get(node.value.id, module) != module
            and is_private(node.attr)
        ):
            yield f"{path}:{node.lineno}: {node.value.id}.{node.attr} ({bound[node.value.id]})"


def imports_below_code(path: Path) -> Iterator[str]:
    """Module-level imports after the first statement that is not an import (the docstring and ``if
    TYPE_CHECKING:`` blocks of imports do not count as code)."""
    tree = ast.parse(path.read_text(), str(path))
    code_seen = None
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom):
            if code_seen is not None:
                yield f"{path}:{node.lineno}: import below code (line {code_seen})"
        elif index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        elif isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            continue
        elif code_seen is None:
            code_seen = node.lineno


def test_no_module_uses_another_modules_private_names() -> None:
    names = {module for module, _ in modules()}
    found = [use for module, path in modules() for use in private_uses(module, path, names)]
    assert found == [], "private names used across modules:\n" + "\n".join(found)


def test_every_import_is_above_the_code() -> None:
    found = [place for _, path in modules() for place in imports_below_code(path)]
    assert found == [], "\n".join(found)


def test_no_comment_or_docstring_cites_an_issue() -> None:
    found = [
        f"{path}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*"))
        if path.suffix in (".py", ".sql", ".html", ".txt", ".j2")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ISSUE_TAG.search(line)
    ]
    assert found == [], "issue numbers in src/:\n" + "\n".join(found)
