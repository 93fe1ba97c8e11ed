"""The house's shape: imports go down the layers, never in a circle, and modules stay short.

The layers and the no-cycles rule are import-linter contracts in pyproject.toml
([tool.importlinter]); `lint-imports` checks them at the command line, this test on every run.
"""

from __future__ import annotations

import contextlib
import io

import grimp
import pytest
from importlinter import configuration
from importlinter.adapters.building import GraphBuilder
from importlinter.application import use_cases
from importlinter.application.app_config import settings

from tests.helpers import ROOT

pytestmark = [pytest.mark.pure]

PYPROJECT = ROOT / "pyproject.toml"
MAX_LINES = 500  # one job per module: past this it is doing two


def lint(graph_builder: GraphBuilder | None = None) -> tuple[bool, str]:
    """Whether the contracts are kept, and import-linter's report. No cache: nothing written."""
    out = io.StringIO()
    configuration.configure()  # what `lint-imports` sets up: the readers, grimp's builder
    if graph_builder is not None:
        settings.configure(GRAPH_BUILDER=graph_builder)
    try:
        with contextlib.redirect_stdout(out):
            kept = use_cases.lint_imports(
                config_filename=str(PYPROJECT), cache_dir=None, no_logo=True
            )
    finally:
        configuration.configure()
    return bool(kept), out.getvalue()


def test_imports_go_down_the_layers_and_never_in_a_circle() -> None:
    kept, report = lint()
    assert kept, report
    assert "3 kept, 0 broken" in report, report


class WithOneMoreImport(GraphBuilder):
    """The real import graph, plus one import that is not in the code."""

    def __init__(self, importer: str, imported: str) -> None:
        self.importer, self.imported = importer, imported

    def build(
        self,
        root_package_names: list[str],
        cache_dir: str | None,
        include_external_packages: bool = False,
        exclude_type_checking_imports: bool = False,
    ) -> grimp.ImportGraph:
        graph = super().build(
            root_package_names, cache_dir, include_external_packages, exclude_type_checking_imports
        )
        graph.add_import(importer=self.importer, imported=self.imported)
        return graph


@pytest.mark.parametrize(
    ("importer", "imported", "says"),
    [
        # The voice reaching up into the session (as voice/recorded.py once did): a layer
        # broken, and a cycle between the two packages.
        ("assistant.voice.recorded", "assistant.session.spoken", "2 broken"),
        # The dialog, a pure state machine, reaching for a device (a lower layer).
        ("assistant.dialog.machine", "assistant.speaker.device", "1 broken"),
        # Two modules of one package importing each other (store imports markdown).
        ("assistant.journal.markdown", "assistant.journal.store", "could be made acyclic"),
    ],
)
def test_the_contracts_catch_a_bad_import(importer: str, imported: str, says: str) -> None:
    kept, report = lint(WithOneMoreImport(importer, imported))
    assert not kept, report
    assert says in report, report
    if "acyclic" not in says:
        assert f"{importer} -> {imported}" in report, report


def test_every_module_is_under_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "assistant").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split each by its jobs): {long}"
