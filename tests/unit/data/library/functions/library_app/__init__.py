"""Hooks, schemas and mutations of the library test app (tests/unit/data/library)."""
