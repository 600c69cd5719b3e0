"""The map and the code agree: the layering and the cross-app flows written in
docs/architecture.md are read from it and checked against every import of `maillage/`.

An app imports only apps of its level or below; a lower app that must react to a higher one
offers a registry, and the higher app fills it. Imports under `if TYPE_CHECKING:` are left
out: they do not exist when the code runs (they only name types for mypy).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "maillage"
MAP = ROOT / "docs" / "architecture.md"


def _block(name: str) -> list[list[str]]:
    """The rows of the Markdown table between `<!-- name:begin -->` and `<!-- name:end -->`."""
    text = MAP.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:begin -->(.*?)<!-- {name}:end -->", text, re.S)
    assert match, f"docs/architecture.md n'a plus son bloc « {name} »"
    rows = []
    for line in match.group(1).splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= {"|", "-", " "}:
            continue
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:]  # the header


def _names(cell: str) -> list[str]:
    return [name.strip(" `") for name in cell.split(",") if name.strip(" `")]


def layers() -> dict[str, int]:
    levels: dict[str, int] = {}
    for row in _block("layering"):
        for app in _names(row[1]):
            levels[app] = int(row[0])
    return levels


def flows() -> list[tuple[str, str, list[str]]]:
    """(flow, registering function's dotted path, apps that register)."""
    return [(row[0], row[1].strip("` "), _names(row[2])) for row in _block("flows")]


def apps_on_disk() -> set[str]:
    return {
        path.parent.name
        for path in PACKAGE.glob("*/__init__.py")
        if path.parent.name not in {"templates", "static"}
    }


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, imported app) for every runtime import of another `maillage` app."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_lines(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "maillage" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
            elif parts == ["maillage"]:
                found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "maillage" and len(parts) > 1:
                    found.append((node.lineno, parts[1]))
    return sorted(found)


def test_every_app_is_on_the_map():
    """A new app cannot appear without its place in docs/architecture.md."""
    missing = apps_on_disk() - set(layers())
    assert not missing, f"applications absentes de docs/architecture.md : {sorted(missing)}"


def test_no_app_imports_an_app_above_it():
    levels = layers()
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) < 2 or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        for line, imported in imports_of(path):
            if imported == app or imported not in levels:
                continue
            if levels[imported] > levels[app]:
                violations.append(
                    f"maillage/{relative}:{line} : {app} (niveau {levels[app]}) importe "
                    f"{imported} (niveau {levels[imported]})"
                )
    assert not violations, "imports vers le haut :\n" + "\n".join(violations)


@pytest.mark.parametrize(("flow", "function", "registrants"), flows())
def test_each_cross_app_flow_is_wired(flow, function, registrants):
    """Each registry of the map exists in the lower app, and each app the map names as
    registering really calls it (as a decorator or a call) somewhere in its code."""
    present = apps_on_disk()
    registrants = [app for app in registrants if app in present]
    if not registrants:
        pytest.skip(f"prévu sur la carte, pas encore écrit : {flow}")
    module_path, _, name = function.rpartition(".")
    module_file = ROOT / Path(*module_path.split(".")).with_suffix(".py")
    assert module_file.exists(), f"{flow} : {module_path} n'existe pas"
    tree = ast.parse(module_file.read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert name in defined, f"{flow} : {function} n'est pas défini"
    owner = module_path.split(".")[1]
    levels = layers()
    for app in registrants:
        assert levels[app] >= levels[owner], f"{flow} : {app} est sous {owner}"
        uses = [
            path
            for path in (PACKAGE / app).rglob("*.py")
            if "migrations" not in path.parts and _calls(path, name)
        ]
        assert uses, f"{flow} : {app} ne s'inscrit nulle part auprès de {function}"


def _calls(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                return True
    return False


def test_the_check_sees_an_upward_import(tmp_path):
    """The AST reading itself: a runtime import is seen, a TYPE_CHECKING one is not."""
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from maillage.observatory.services import x\n"
        "if TYPE_CHECKING:\n"
        "    from maillage.roadmap.models import Node\n"
        "def f():\n"
        "    import maillage.site.views\n"
    )
    assert imports_of(module) == [(2, "observatory"), (6, "site")]
