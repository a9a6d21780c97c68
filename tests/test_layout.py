"""The house's one-way data flow, read from the code's imports: importers → database →
tiles / api → viewer. ``api`` never imports ``importers``; ``tiles`` never imports ``api``
nor ``importers``; ``importers`` import neither; the core (``citymodel/``, its command line
included: the others plug their commands into it) imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FORBIDDEN = {
    "api": {"importers"},
    "tiles": {"api", "importers"},
    "importers": {"api", "tiles"},
    "citymodel": {"api", "importers", "tiles"},
}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_data_flows_one_way(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files
    wrong = {str(p.relative_to(ROOT)): sorted(imported(p) & FORBIDDEN[package]) for p in files}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_command_line_has_every_package_s_commands():
    """The core's commands and those the packages above it plug in (entry points)."""
    from click.testing import CliRunner

    from citymodel.cli import cli, commands

    assert set(commands()) == {"db", "users", "scenarios", "export", "import", "tiles", "serve"}
    listed = CliRunner().invoke(cli, ["--help"])
    assert listed.exit_code == 0
    for name in commands():
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0, name


def test_the_viewer_names_only_properties_the_tileset_has():
    """The tileset's property names have one owner (tiles.gltf.PROPERTIES, published in its
    schema); the viewer's card lists whatever the schema gives, and what its themes, picks
    and filters name must be there."""
    import re

    from tiles.gltf import PROPERTIES

    named = set()
    for path in (ROOT / "viewer" / "src").glob("*.js"):
        source = path.read_text()
        # 3D Tiles style expressions: ${name} compared with something
        named |= set(re.findall(r"\$\{(\w+)\}\s*(?:===|!==|>=|<=|<|>)\s", source))
        named |= set(re.findall(r"getProperty\(\"(\w+)\"\)", source))
    assert {"height", "use", "year_built", "parcel", "building_id", "auction_status"} <= named
    assert named <= {p.name for p in PROPERTIES}
