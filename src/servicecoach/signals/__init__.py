"""Per-turn signal models: small linear text classifiers shipped with their weights."""
