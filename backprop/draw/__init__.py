"""Pictures of a Trace: DOT text (dot.py), the `dot` layout and render (layout.py),
colours and legend (style.py), the Plotly animation (animation.py), the stage player's
figure and page (stage.py, stage_html.py, assets/), standalone HTML export (export.py)
and native digits in figures (figdigits.py). Builds on teach and capture; knows nothing of
training."""
