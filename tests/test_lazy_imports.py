"""Importing the package, its models or the pytest plugin does not load spaCy: a user's test
suite that never asks for a `Coach` collects without paying for it."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
assert "spacy" not in sys.modules, "spacy was imported"
print("ok")
"""


@pytest.mark.parametrize("module", ["servicecoach", "servicecoach.testing.pytest_plugin",
                                    "servicecoach.models", "servicecoach.check"])
def test_importing_does_not_load_spacy(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK.format(module=module)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_coach_and_session_are_still_exported() -> None:
    import servicecoach
    from servicecoach.coach import Coach
    from servicecoach.session import Session

    assert servicecoach.Coach is Coach and servicecoach.Session is Session
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        servicecoach.Nope  # noqa: B018
