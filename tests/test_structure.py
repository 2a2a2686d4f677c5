"""The package's architecture, read from its source: layers, no import cycles, twins behind their dispatchers.

Layers import downwards only (``../shared/DESIGN.md``, CONTRIBUTING.md):

    face      the public modules: PyJWT's module paths, Verifier/Signer, jws, jwe, keys, cli, ...
    engine    the private rules the face is built on (and algorithms/api_jwk: PyJWT module paths
              that hold the algorithm and key model every engine module works with)
    speedups  cyjose._speedups: the hot modules, their dispatchers and twins
    ground    exceptions, limits, types, warnings, _messages: import nothing above them

Every import counts, also one inside a function: a cycle is broken by a better
direction, not by moving an import out of sight. Imports under ``if TYPE_CHECKING:``
are annotations only and are not counted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "cyjose"

GROUND = {"cyjose.exceptions", "cyjose.limits", "cyjose.types", "cyjose.warnings", "cyjose._messages"}
ENGINE_MODULES = {
    "cyjose._jws", "cyjose._encode", "cyjose._options", "cyjose._keyset", "cyjose._serialized",
    "cyjose.algorithms", "cyjose.api_jwk",
}
ENGINE_PACKAGES = ("cyjose._keymaterial", "cyjose._fetch")
SPEEDUPS = "cyjose._speedups"
LAYERS = ("ground", "speedups", "engine", "face")

#: The most entries src/cyjose may hold at its top level (a tree that shows the architecture).
MAX_TOP_LEVEL_ENTRIES = 32

_CYTHON_IMPORT = re.compile(r"^\s*(?:from\s+(\.*[\w.]*)\s+(?:c?import)\s+([\w., ()]+)|import\s+([\w.]+))", re.M)


def layer_of(module: str) -> str:
    if module in GROUND:
        return "ground"
    if module == SPEEDUPS or module.startswith(SPEEDUPS + "."):
        return "speedups"
    if module in ENGINE_MODULES or any(module == p or module.startswith(p + ".") for p in ENGINE_PACKAGES):
        return "engine"
    return "face"


def is_twin(module: str) -> bool:
    return module.startswith(SPEEDUPS + ".") and module.endswith(("_py", "_c"))


def _module_name(path: Path) -> Tuple[str, bool]:
    """``(dotted name, is a package __init__)`` of a source file (a .pxi is part of the .pyx including it)."""
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def source_files() -> List[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".pyx", ".pxi") and "__pycache__" not in p.parts)


def all_modules() -> Set[str]:
    return {_module_name(path)[0] for path in source_files() if path.suffix != ".pxi"}


def _resolve(importer: str, is_package: bool, level: int, module: str) -> str:
    if level == 0:
        return module
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _targets(base: str, names: List[str], known: Set[str]) -> Iterator[str]:
    """``from base import names``: each name that is a module, else ``base`` itself."""
    yield base
    for name in names:
        if f"{base}.{name}" in known:
            yield f"{base}.{name}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_import_nodes(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every import statement, except those in the body of ``if TYPE_CHECKING:``."""
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _python_imports(path: Path, importer: str, is_package: bool, known: Set[str]) -> Iterator[str]:
    for node in _runtime_import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        else:
            assert isinstance(node, ast.ImportFrom)
            base = _resolve(importer, is_package, node.level, node.module or "")
            yield from _targets(base, [alias.name for alias in node.names], known)


def _cython_imports(path: Path, importer: str, known: Set[str]) -> Iterator[str]:
    for match in _CYTHON_IMPORT.finditer(path.read_text()):
        source, names, plain = match.groups()
        if plain:
            yield plain
            continue
        level = len(source) - len(source.lstrip("."))
        base = _resolve(importer, False, level, source.lstrip("."))
        yield from _targets(base, [n.strip(" ()").split(" ")[0] for n in names.split(",") if n.strip(" ()")], known)


def import_graph() -> Dict[str, Set[str]]:
    """``{module: cyjose modules it imports at run time}``, with the packages each import initialises."""
    known = all_modules()
    graph: Dict[str, Set[str]] = {module: set() for module in known}
    includers = _includers()
    for path in source_files():
        importer, is_package = _module_name(path)
        # A .pxi's imports belong to every compiled twin that includes it.
        for module in includers.get(path, []) if path.suffix == ".pxi" else [importer]:
            found = (_python_imports(path, module, is_package, known) if path.suffix == ".py"
                     else _cython_imports(path, module, known))
            for target in found:
                if target == "cyjose" or target.startswith("cyjose."):
                    graph[module].update(_with_packages(target, module) & (known | {"cyjose"}))
    for targets in graph.values():
        targets.discard("cyjose")  # the package root is every module's ancestor
    return graph


def _includers() -> Dict[Path, List[str]]:
    """``{.pxi file: the compiled twins that include it}``."""
    found: Dict[Path, List[str]] = {}
    for path in source_files():
        if path.suffix == ".pyx":
            for name in re.findall(r'^include\s+"([^"]+)"', path.read_text(), re.M):
                found.setdefault(path.parent / name, []).append(_module_name(path)[0])
    return found


def _with_packages(target: str, importer: str) -> Set[str]:
    """``target`` and the packages importing it initialises, except the importer's own ancestors."""
    parts = target.split(".")
    chain = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return {m for m in chain if not importer.startswith(m + ".")} - {importer}


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    on_stack: Set[str] = set()
    stack: List[str] = []
    found: List[List[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def graph() -> Dict[str, Set[str]]:
    if not PACKAGE_DIR.is_dir():
        pytest.skip(f"the source tree is not at {PACKAGE_DIR}")
    return import_graph()


def test_the_reader_sees_the_imports(graph):
    """The checks below are only as good as the graph: known edges of each kind must be in it."""
    assert "cyjose._speedups.token" in graph["cyjose.verifier"]  # from ._speedups.token import ...
    assert "cyjose._speedups" in graph["cyjose.verifier"]  # the package that import initialises
    assert "cyjose._speedups.b64url_py" in graph["cyjose._speedups.b64url_c"]  # a .pyx
    assert "cyjose._speedups.json_py" in graph["cyjose._speedups.token_c"]  # through json_core.pxi
    assert "cyjose.help" in graph["cyjose.cli"]  # a function-level or module-level import
    assert "cyjose.keys" in graph["cyjose.cli._keys"]  # imported inside a function
    assert "cyjose.jwe._compact" in graph["cyjose.jwe"]


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_layers_import_downwards_only(graph):
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = sorted(
        f"{importer} ({layer_of(importer)}) imports {target} ({layer_of(target)})"
        for importer, targets in graph.items() for target in targets
        if rank[layer_of(target)] > rank[layer_of(importer)]
    )
    assert upward == []


def test_twins_are_imported_only_inside_speedups(graph):
    outside = sorted(
        f"{importer} imports {target}"
        for importer, targets in graph.items() for target in targets
        if is_twin(target) and layer_of(importer) != "speedups"
    )
    assert outside == []


def test_every_module_has_a_layer_it_was_given(graph):
    """A new private module must be placed on purpose: private top-level modules are engine or ground."""
    unplaced = sorted(
        module for module in graph
        if module.count(".") == 1 and module.split(".")[1].startswith("_")
        and module.split(".")[1] not in ("__main__", "_decode_cache")
        and layer_of(module) == "face"
    )
    assert unplaced == []


def test_top_level_stays_small():
    entries = sorted(p.name for p in PACKAGE_DIR.iterdir() if p.name != "__pycache__")
    assert len(entries) <= MAX_TOP_LEVEL_ENTRIES, entries
