"""What PyTorch did, recorded as data: the TorchFunctionMode forward log, grad_fn walk
and backward hooks (hooks.py), any tensor's graph (tensor_graph.py), run_program's Trace
assembly (program.py), any computation as a Trace (trace_fn.py) and a loop's iterations
(iterations.py). Values are captured, never recomputed. Builds on sandbox; never draws."""
