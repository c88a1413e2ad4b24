"""The shared base of every layer: the data model (graph.py: Trace, Graph, Node, Value,
BackwardPass, Iteration), ProgramError and its message keys (errors.py, messages.py),
the size limits (limits.py) and the number formats (fmt.py). Imports nothing of the
engine but i18n."""
