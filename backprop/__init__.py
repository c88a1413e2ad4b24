"""Backprop Studio's engine: run PyTorch programs under capture, draw what autograd did.

Layers, lowest first; a module imports only from its own layer or from a layer below
(tests/test_layers.py checks it): `i18n` (catalogs), `core` (the data model, errors,
limits, number formats), `sandbox` (the language and the envelope), `capture` (hooks,
graph walk, Trace assembly), `teach` (op names, chain rule, steps), `draw` (DOT, layout,
animation, stage), `train` (Tiny Network, optimizer race), `anatomy` (models from the
inside); on top `actions`, `warm` and `cli` wire the layers together. No Streamlit, no
`ui/`, no `examples/` here. The public API is `graphviz_tools` (run_program, graph_of,
to_dot, render, ProgramError); this package is imported by sub-module, so importing it
costs nothing.
"""
