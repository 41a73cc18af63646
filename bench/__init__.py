"""Benchmarks for `hearings`: `python -m bench` measures and writes bench/RESULTS.md."""
