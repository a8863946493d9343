"""A pytest plugin for self-tests (`-p fakes.profile_override`): the provider's profile as shipped, but with
`unlisted_parameters.handling` set to $RESPCOMPAT_TEST_UNLISTED, so a handling no shipped profile documents
(`rejected`) can be held against the fake too."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import respcompat.providers as providers

_shipped = providers.load_profile


def load_profile(name: str) -> Any:
    profile = _shipped(name)
    handling = os.environ.get("RESPCOMPAT_TEST_UNLISTED")
    if not handling or not profile.unlisted_parameters:
        return profile
    return dataclasses.replace(profile, unlisted_parameters={**profile.unlisted_parameters, "handling": handling})


# The plugin and the engine import load_profile from the module when they call it, so they get this one.
providers.load_profile = load_profile
