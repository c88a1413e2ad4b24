"""The plotly.js every player and export uses: one name, one file.

plotly.js's cartesian partial bundle (scatter, heatmap, contour: every trace type our
figures use), vendored in the repository's static/ (served to the app's players at
app/static/, inlined by the standalone exports; no network at run time; source and
sha256 in static/README.md). The same plotly.js as the plotly package's full bundle, a
third of its size, so a browser parses it in a third of the time and a handed-out page
weighs 1.5 MB instead of 4.8. The version in the name lets browsers cache it across
upgrades.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
NAME = "plotly-cartesian-4.1.1.min.js"


def plotly_js_name() -> str:
    """The static file every player loads (served at app/static/)."""
    return NAME


@cache
def plotly_js() -> str:
    """The bundle's text, for pages that inline it. Without the repository's static/
    (the engine used as a library), the plotly package's full bundle: same version."""
    path = STATIC / NAME
    if path.is_file():
        return path.read_text(encoding="utf-8")
    from plotly.offline import get_plotlyjs  # the plotly package ships plotly.js

    return get_plotlyjs()
