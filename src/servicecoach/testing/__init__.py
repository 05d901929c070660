"""Testing helpers: annotated rule tests (and, later, the pytest plugin)."""
