"""Screenshots for docs/screenshots/, taken by the browser tests only when asked
(``LEADRAIL_SCREENSHOTS=1``, as ``make screenshots`` does): a plain test run never rewrites
them. Every browser test takes its screenshots through ``screenshot``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SHOTS = Path(__file__).parents[1] / "docs" / "screenshots"


def wanted() -> bool:
    return os.environ.get("LEADRAIL_SCREENSHOTS", "") == "1"


def screenshot(page: Any, name: str, **options: Any) -> None:
    """``page.screenshot`` into docs/screenshots/``name``, when screenshots are wanted."""
    if not wanted():
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), **options)
