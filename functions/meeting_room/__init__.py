"""The meeting-room app, boiler's example: schemas, view hooks, mutation handlers."""
