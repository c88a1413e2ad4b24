"""Models from the inside (Model Anatomy): a Keras-style summary in the order the
forward pass really ran (summary.py), and which module produced each autograd node,
with the graph collapsed to module depth (attribution.py). Builds on capture."""
