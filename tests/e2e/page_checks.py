"""What a user sees, asked of a Playwright page: in view, no sideways scrolling."""

from __future__ import annotations

from typing import Any


def in_view(page: Any, locator: Any) -> bool:
    """The element is visible inside the viewport as it is now (nothing scrolled)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and locator.is_visible()
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"))
