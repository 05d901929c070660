"""Analyzers: compiled rules that judge turns with per-conversation state."""
