"""Trained weights of the per-turn signal models (JSON, written by scripts/train_signals.py)."""
