"""Browser tests write docs/screenshots/ only when asked (LEADRAIL_SCREENSHOTS=1), through one
helper, so a plain test run leaves the work tree as it found it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parents[1]


def test_every_screenshot_goes_through_the_helper() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "screenshots.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            helper = isinstance(func, ast.Attribute) and ast.unparse(func.value) == "screenshots"
            if isinstance(func, ast.Attribute) and func.attr == "screenshot" and not helper:
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert found == [], "call tests.screenshots.screenshot(page, name) instead"


class FakePage:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def screenshot(self, **options: Any) -> None:
        self.calls.append(options)


def test_written_only_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests import screenshots

    monkeypatch.setattr(screenshots, "SHOTS", tmp_path / "shots")
    page = FakePage()
    for unset in (None, "", "0"):
        if unset is None:
            monkeypatch.delenv("LEADRAIL_SCREENSHOTS", raising=False)
        else:
            monkeypatch.setenv("LEADRAIL_SCREENSHOTS", unset)
        screenshots.screenshot(page, "x.png", full_page=True)
    assert page.calls == []
    monkeypatch.setenv("LEADRAIL_SCREENSHOTS", "1")
    screenshots.screenshot(page, "x.png", full_page=True)
    assert page.calls == [{"path": str(tmp_path / "shots" / "x.png"), "full_page": True}]
    assert (tmp_path / "shots").is_dir()
