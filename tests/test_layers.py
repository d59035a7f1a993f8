"""The package's layers: no module imports from a layer above its own (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import incident_kb

PACKAGE = Path(incident_kb.__file__).parent
#: Lowest first; a module may import from its own layer and the ones before it.
LAYERS = ("core", "documents", "checks", "alerts", "figures", "site", "cli")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("incident_kb.")}


def test_every_module_sits_in_a_layer() -> None:
    loose = sorted(
        p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")
    )
    assert loose == []
    assert sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()) == sorted(
        LAYERS
    )


def test_no_module_imports_from_a_layer_above_it() -> None:
    upward = []
    for layer in LAYERS:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for name in sorted(_imports(path)):
                target = name.split(".")[1]
                if target in LAYERS and LAYERS.index(target) > LAYERS.index(layer):
                    upward.append(f"{layer}/{path.name} imports {name}")
    assert upward == []


def test_the_layer_test_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from incident_kb.site.render import Renderer\nimport incident_kb.cli.main\n")
    assert _imports(module) == {"incident_kb.site.render", "incident_kb.cli.main"}
