"""Batch runs of ``servicecoach score``: located reports, progress, resumable output, an
errors file, and duplicate-id warnings (see docs/batch.md)."""
