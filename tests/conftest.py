"""Hypothesis profiles for the self-tests: `ci` (the default: a small fixed budget) and `long` (a fuzzing session).

Choose with `pytest --hypothesis-profile=long` (or HYPOTHESIS_PROFILE=long). Tests that set `max_examples`
themselves keep it; the input fuzzers (test_fuzz_input.py) take theirs from the profile.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, max_examples=100, derandomize=True, print_blob=True)
settings.register_profile(
    "long", deadline=None, max_examples=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
