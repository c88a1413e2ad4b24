"""The Tiny Network and the optimizer race: datasets, the training loop captured step
by step (training.py), optimizer update rules (updates.py), the code a learner can copy
(codegen.py), checkpoints (checkpoint.py), episodes and diagnoses, the training figures
(train_figures.py, stage_figure.py), and the race with its branches, figure, captions,
landscape and CLI (race*.py). The top of the engine's layers but for anatomy."""
