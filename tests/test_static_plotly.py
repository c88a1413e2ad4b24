"""The vendored plotly.js the players load and the exports inline: the file named by
backprop/draw/plotly_bundle.py, unchanged."""

from __future__ import annotations

import hashlib
import re

from backprop.draw.plotly_bundle import STATIC, plotly_js_name

SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"


def test_the_players_bundle_is_the_vendored_cartesian_plotly_4_1_1() -> None:
    path = STATIC / plotly_js_name()
    raw = path.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SHA256  # as npm ships it (static/README.md)
    head = raw[:300].decode()
    assert re.search(r"plotly\.js \(cartesian - minified\) v4\.1\.1", head)
    assert "Licensed under the MIT license" in head


def test_same_plotly_js_version_as_the_plotly_package() -> None:
    """The figures are built for the plotly package's plotly.js: the bundle must match it."""
    from plotly.offline import get_plotlyjs_version

    assert get_plotlyjs_version() == "4.1.1"
