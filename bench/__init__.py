"""Benchmarks: faithlens vs the reference SIG (tint) and Captum IG. Run with `python -m bench`."""
