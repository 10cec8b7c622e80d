"""axe-core (vendored in tests/vendor, never served) run inside a Playwright page: the
serious and critical violations a user of assistive technology would hit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parents[1] / "vendor" / "axe-core-4.14.1.min.js"


def serious_violations(page: Any) -> list[str]:
    """Each serious or critical violation on the page as it is now, in words."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => v.id + ": " + v.help + " at " +
                   v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return [str(x) for x in found]
