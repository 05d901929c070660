"""Testing helpers: annotated rule tests, the pytest plugin, and `assert_findings`."""

from servicecoach.testing.assertions import assert_findings

__all__ = ["assert_findings"]
