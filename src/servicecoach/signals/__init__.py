"""Per-turn signals read from every turn, whatever rules are enabled (see `reading`)."""
