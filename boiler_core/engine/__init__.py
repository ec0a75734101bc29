"""The recompute engine: from one domain change to guarded writes of every affected view document."""
