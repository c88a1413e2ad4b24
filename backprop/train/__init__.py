"""The Tiny Network and the optimizer race: datasets, the training loop captured step
by step (training.py), one record per optimizer (optimizers.py: factory, update rule,
state symbols, code) and per loss/activation (losses.py), one update's numbers
(updates.py), the code a learner can copy (codegen.py), checkpoints (checkpoint.py),
episodes and diagnoses, the training figures (train_figures.py, stage_figure.py), and
the race with its branches, figure, captions, landscape and CLI (race*.py). The top of
the engine's layers but for anatomy."""
