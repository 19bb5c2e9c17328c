"""Hypothesis strategies and robustness checks shared by tests/test_fuzz_*.py and the campaign."""
