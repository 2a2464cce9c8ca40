"""The platform contract of modules: no module imports another module (they meet only through core and the
manifest's providers), and every module declares each provider or says it has none. A module is a package
`kotapintar.<id>` of a registered module other than core; its source (tests included) may import core and
itself, never another module."""

import ast
from pathlib import Path

from kotapintar.core import modules

ROOT = Path(__file__).resolve().parents[2]  # the kotapintar package


def module_packages() -> set[str]:
    return {m.id for m in modules.REGISTRY.values() if m.id != "core" and (ROOT / m.id).is_dir()}


def imported_names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:  # from kotapintar import permits
                yield node.lineno, f"{node.module}.{alias.name}"


def crossings(package: str, others: set[str]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, name in imported_names(ast.parse(path.read_text(), str(path))):
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "kotapintar" and parts[1] in others:
                found.append(f"{path.relative_to(ROOT.parent)}:{line} imports {name}")
    return found


def test_no_module_imports_another_module():
    packages = module_packages()
    assert {"permits", "complaints", "announcements"} <= packages
    found = [crossing for package in sorted(packages) for crossing in crossings(package, packages - {package})]
    assert found == []


def test_the_check_sees_a_crossing(tmp_path, monkeypatch):
    source = "def f():\n    from kotapintar.permits.selectors import permit_type_catalogue\n"
    assert [name for _line, name in imported_names(ast.parse(source))] == [
        "kotapintar.permits.selectors", "kotapintar.permits.selectors.permit_type_catalogue"]
    monkeypatch.setattr("kotapintar.core.tests.test_module_boundaries.ROOT", tmp_path)
    (tmp_path / "complaints").mkdir()
    (tmp_path / "complaints" / "views.py").write_text(source)
    assert crossings("complaints", {"permits"}) == [
        f"{tmp_path.name}/complaints/views.py:2 imports kotapintar.permits.selectors",
        f"{tmp_path.name}/complaints/views.py:2 imports kotapintar.permits.selectors.permit_type_catalogue"]


def test_every_module_declares_its_indicators_map_layers_catalogue_and_exchange():
    """Each provider is implemented or explicitly `modules.NONE`; None means the author forgot it."""
    undeclared = [f"{m.id}.{kind}" for m in modules.REGISTRY.values()
                  for kind in ("indicators", "map_layers", "catalogue", "exchange") if getattr(m, kind) is None]
    assert undeclared == []
    for module, exchange in modules.providers("exchange"):
        assert exchange.kinds and callable(exchange.export) and callable(exchange.preview), module.id
