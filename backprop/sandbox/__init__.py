"""The learner's program, kept inside its walls: the allowed language (language.py,
modules.py), parsing and checking (expression.py, checker.py, statements.py, repair.py,
suggest.py), the AST interpreter that runs one allowed torch call at a time
(interpreter.py), the guards that refuse huge results before memory is taken (guards.py,
value_checks.py), and the envelope: worker processes under OS limits that run every
user-triggered action (envelope.py, worker.py, os_limits.py). Knows nothing of capture,
drawing or training."""
