"""The scheduling core imports the standard library and itself, nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import leadrail.scheduling

PACKAGE = Path(leadrail.scheduling.__file__).parent


def imported_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_standard_library_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    for source in sorted(PACKAGE.glob("*.py")):
        for module in imported_modules(source):
            ours = module == "leadrail.scheduling" or module.startswith("leadrail.scheduling.")
            assert ours or module.split(".")[0] in allowed, f"{source.name} imports {module}"
