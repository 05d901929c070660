"""Without ../shared/ beside the checkout, the tests that read it skip with one reason,
printed once by ``pytest -ra``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

# files whose tests read ../shared/ in the several ways they do (a marker on a module, on a
# test, a helper that finds a vendor sample, a parametrized list of samples)
READERS = ["tests/test_devset_real.py", "tests/test_satisfaction.py",
           "tests/readers/test_detect.py", "tests/readers/test_zendesk.py"]


def test_tests_without_shared_data_say_why_once(tmp_path: Path) -> None:
    env = {**os.environ, "SERVICECOACH_SHARED": str(tmp_path / "absent")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider",
                           *READERS], cwd=REPO, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, skipped
    assert "absent is not beside the checkout: the tests that read the shared data" in skipped[0]
    count = int(skipped[0].split("[")[1].split("]")[0])
    assert count >= 10
