"""Benchmarks: ratios against baselines measured in the same process (python -m bench)."""
