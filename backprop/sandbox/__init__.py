"""The learner's program, kept inside its walls: the allowed language (language.py,
modules.py), parsing and checking (expression.py, statements.py, repair.py, suggest.py),
the AST interpreter that runs one allowed torch call at a time (interpreter.py), the size
guards that refuse huge results before memory is taken (guards.py), and the envelope:
worker processes under OS limits that run every user-triggered action (envelope.py,
worker.py). Knows nothing of capture, drawing or training."""
