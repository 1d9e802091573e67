"""The layers hold: the foundation imports no domain, and no two modules import each other, directly or in a
ring (docs/architecture.md). Read from the source, so a new arrow fails here before it tangles anything."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import perks

PACKAGE = Path(perks.__file__).parent
FOUNDATION = {"tenancy", "ledger", "outbox", "idempotency", "kit", "web", "db", "sql", "errors", "config"}
DOMAINS = {
    "loyalty",
    "affiliate",
    "console",
    "portal",
    "jobs",
    "imports",
    "audit",
    "ui",
    "accounts",
    "worker",
}


def module_name(path: Path) -> str:
    parts = ("perks", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def imported(tree: ast.AST, nodes: Iterator[ast.AST]) -> Iterator[str]:
    """The perks modules that these import statements name (`from a import b` names a.b when it is one)."""
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in MODULES else node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Statements run at import (not those under `if TYPE_CHECKING:`)."""
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        yield node


def edges(*, everywhere: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        nodes = ast.walk(tree) if everywhere else module_level(tree)
        graph[name] = {target for target in imported(tree, nodes) if target in MODULES and target != name}
    return graph


def layer(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_the_foundation_imports_no_domain() -> None:
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in edges(everywhere=True).items()
        if layer(source) in FOUNDATION
        for target in targets
        if layer(target) in DOMAINS
    )
    assert upward == []


def test_no_import_cycles() -> None:
    graph = edges(everywhere=False)
    rings = strongly_connected(graph)
    assert [sorted(ring) for ring in rings if len(ring) > 1] == []


def is_router(module: str) -> bool:
    name = module.rsplit(".", 1)[-1]
    return name == "router" or name.startswith("router_") or name.endswith("_router")


def test_only_routes_and_routers_import_a_router() -> None:
    """What a route does lives in services and rendering modules; the console, the portal, jobs and
    services reach it there, never through an API router (whose import also builds its routes)."""
    reaching = sorted(
        f"{source} -> {target}"
        for source, targets in edges(everywhere=True).items()
        if not is_router(source) and not source.endswith(".routes")
        for target in targets
        if is_router(target)
    )
    assert reaching == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has hundreds of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
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
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                ring: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    ring.append(member)
                    if member == node:
                        break
                found.append(ring)
    return found


def test_the_checks_see_a_ring_and_an_upward_arrow() -> None:
    """The checks themselves can fail."""
    assert [
        sorted(ring) for ring in strongly_connected({"a": {"b"}, "b": {"a"}, "c": set()}) if len(ring) > 1
    ] == [["a", "b"]]
    assert layer("perks.outbox.worker") in FOUNDATION and layer("perks.loyalty.events.jobs") in DOMAINS
    assert is_router("perks.loyalty.campaigns.router") and is_router("perks.imports.migration_router")
    assert not is_router("perks.loyalty.routes") and not is_router("perks.loyalty.campaigns.rendering")


# Where SQL may be written: repositories, the scoping module, and the database layer's own tools.
SQL_HOMES = {
    "perks.tenancy.scoped",
    "perks.sql",
    "perks.sqlite_inline",
    "perks.kit.pagination",
    "perks.kit.keyset",
    "perks.kit.pruning",
}
STATEMENT_BUILDERS = {
    "select",
    "update",
    "delete",
    "insert",
    "text",
    "exists",
    "union",
    "union_all",
    "insert_for",
}


def holds_sql(module: str) -> bool:
    name = module.rsplit(".", 1)[-1]
    return (
        module in SQL_HOMES
        or name == "repository"
        or name.endswith("_repository")
        or name == "models"
        or module.startswith("perks.db.")
    )


def statement_builders(tree: ast.AST) -> Iterator[str]:
    """The SQL statement constructors a module imports (from SQLAlchemy, or perks.db's insert_for)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] in ("sqlalchemy", "perks")
        ):
            if node.module.startswith("perks") and node.module != "perks.db.database":
                continue
            yield from (alias.name for alias in node.names if alias.name in STATEMENT_BUILDERS)


def test_sql_is_written_only_in_repositories() -> None:
    """Services, routers and the engine ask repositories; they build no statements of their own."""
    outside = sorted(
        f"{name}: {builder}"
        for name, path in MODULES.items()
        if not holds_sql(name)
        for builder in statement_builders(ast.parse(path.read_text()))
    )
    assert outside == []


def is_column(node: ast.AST) -> bool:
    """`X.account_id` where X is a mapped class, a module-level table (`_LINES.c`) or any table's `.c`."""
    if not (isinstance(node, ast.Attribute) and node.attr == "account_id"):
        return False
    holder = node.value
    if isinstance(holder, ast.Attribute) and holder.attr == "c":
        return True
    return isinstance(holder, ast.Name) and holder.id.lstrip("_")[:1].isupper()


def hand_written_scoping(tree: ast.AST) -> Iterator[int]:
    """Lines comparing a table's account_id with anything but another table's account_id (a join)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            sides = (node.left, node.comparators[0])
            if any(is_column(side) for side in sides) and not all(is_column(side) for side in sides):
                yield node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "in_"
            and is_column(node.func.value)
        ):
            yield node.lineno


def test_tenant_scoping_is_written_once() -> None:
    """Every tenant condition comes from perks.tenancy.scoped, so none is forgotten or spelled twice."""
    by_hand = sorted(
        f"{name}:{line}"
        for name, path in MODULES.items()
        if name != "perks.tenancy.scoped"
        for line in hand_written_scoping(ast.parse(path.read_text()))
    )
    assert by_hand == []


def test_the_sql_checks_see_a_statement_and_a_condition() -> None:
    """The two checks above can fail."""
    service = ast.parse("from sqlalchemy import select, update\nfrom perks.db.database import insert_for\n")
    assert sorted(statement_builders(service)) == ["insert_for", "select", "update"]
    assert not holds_sql("perks.loyalty.engine.budgets") and holds_sql("perks.loyalty.tiers.repository")
    scoping = ast.parse(
        "a = Tier.account_id == ctx.account_id\n"
        "b = _LINES.c.account_id == bindparam('account_id')\n"
        "c = Wallet.account_id == Customer.account_id\n"
        "d = row.account_id == ctx.account_id\n"
        "e = table.c.account_id.in_(ids)\n"
    )
    assert list(hand_written_scoping(scoping)) == [1, 2, 5]
