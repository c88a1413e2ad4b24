"""Backprop Studio's public API (the engine lives in `backprop/`, by layer):

    from graphviz_tools import run_program, graph_of, to_dot, render, ProgramError

`python -m graphviz_tools trace|render|animate|train|summary ...` runs the CLI.
"""

from backprop.capture.program import run_program
from backprop.capture.tensor_graph import graph_of
from backprop.core.errors import ProgramError
from backprop.core.graph import BackwardPass, Edge, Graph, Iteration, Node, Trace, Value
from backprop.draw.dot import to_dot
from backprop.draw.layout import render
from backprop.sandbox.repair import repair_lines

__all__ = [
    "BackwardPass", "Edge", "Graph", "Iteration", "Node", "ProgramError", "Trace", "Value",
    "graph_of", "render", "repair_lines", "run_program", "to_dot",
]
