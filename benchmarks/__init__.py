"""Speed and memory scripts; run each as `.venv/bin/python benchmarks/NAME.py`."""
