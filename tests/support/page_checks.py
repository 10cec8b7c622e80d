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


def too_wide(page: Any) -> list[str]:
    """The elements that reach past the right edge (to say what scrolls sideways)."""
    found = page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                 (e.className && typeof e.className === "string" ? "." + e.className : "") +
                 " " + Math.round(e.getBoundingClientRect().right))"""
    )
    return [str(x) for x in found]
