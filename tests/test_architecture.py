"""The import contracts of pyproject.toml hold on the code, and catch what they are there for: a
store module importing a service, the domain importing the store, a service importing a SQL
adapter; the package cycles named by issue 11 are gone (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.adapters.user_options import TomlFileUserOptionReader
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

configuration.configure()  # what lint-imports sets up before it checks (a timer, readers)
OPTIONS = TomlFileUserOptionReader().read_options(
    config_filename=str(Path(__file__).resolve().parent.parent / "pyproject.toml"))
LAYERS = "Layers: entry points, services, store adapters, domain"
ADAPTERS = "Services never import the store's SQL adapters"


def contract(name: str) -> Contract:
    assert OPTIONS is not None
    (options,) = [c for c in OPTIONS.contracts_options if c["name"] == name]
    kind = {"layers": LayersContract, "forbidden": ForbiddenContract}[str(options["type"])]
    return kind(name=name, session_options=OPTIONS.session_options,
                contract_options={k: v for k, v in options.items() if k not in ("name", "type")})


@pytest.fixture
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("reentry", "ui", cache_dir=None)  # never a stale cache


def broken_between(check: Any) -> set[tuple[str, str]]:
    return {(d["importer"], d["imported"]) for d in check.metadata["invalid_dependencies"]} | {
        (d["upstream_module"], d["downstream_module"])
        for d in check.metadata.get("invalid_chains", [])}


@pytest.mark.parametrize("name", [LAYERS, ADAPTERS])
def test_the_contracts_hold_on_the_code(graph: grimp.ImportGraph, name: str) -> None:
    check = contract(name).check(graph, verbose=False)
    assert check.kept, check.metadata


def test_a_store_module_importing_a_service_breaks_the_layers(graph: grimp.ImportGraph) -> None:
    graph.add_import(importer="reentry.store.sql_entry", imported="reentry.entry.service")
    check = contract(LAYERS).check(graph, verbose=False)
    assert not check.kept
    assert ("reentry.store", "reentry.entry") in broken_between(check)


def test_the_domain_importing_the_store_breaks_the_layers(graph: grimp.ImportGraph) -> None:
    graph.add_import(importer="reentry.domain.entry", imported="reentry.store")
    check = contract(LAYERS).check(graph, verbose=False)
    assert ("reentry.domain", "reentry.store") in broken_between(check)


def test_a_service_importing_a_sql_adapter_breaks_its_contract(graph: grimp.ImportGraph) -> None:
    graph.add_import(importer="reentry.events.drill", imported="reentry.store.sql_events")
    check = contract(ADAPTERS).check(graph, verbose=False)
    assert not check.kept
    assert contract(LAYERS).check(graph, verbose=False).kept  # a lower layer: only this catches it


@pytest.mark.parametrize("one, other", [
    ("reentry.store", "reentry.events"), ("reentry.store", "reentry.printing"),
    ("reentry.store", "reentry.review"), ("reentry.entry", "reentry.verify"),
    ("reentry.entry", "reentry.admission"), ("reentry.sheets", "reentry.verify"),
    ("reentry.layout", "reentry.printing"), ("reentry.entry", "reentry.second_read"),
])
def test_issue_11_cycles_are_gone(graph: grimp.ImportGraph, one: str, other: str) -> None:
    both = (graph.chain_exists(importer=one, imported=other, as_packages=True),
            graph.chain_exists(importer=other, imported=one, as_packages=True))
    assert both != (True, True)
