"""Benchmarks of the real WSGI app, run in-process with `python -m bench`."""
