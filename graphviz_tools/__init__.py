"""Backprop Studio's engine: run PyTorch programs under capture, draw what autograd did.

    from graphviz_tools import run_program, graph_of, to_dot, render, ProgramError
"""

from .dot import to_dot
from .errors import ProgramError
from .graph import BackwardPass, Edge, Graph, Iteration, Node, Trace, Value
from .layout import render
from .program import run_program
from .repair import repair_lines
from .tensor_graph import graph_of

__all__ = [
    "BackwardPass", "Edge", "Graph", "Iteration", "Node", "ProgramError", "Trace", "Value",
    "graph_of", "render", "repair_lines", "run_program", "to_dot",
]
