"""The meeting-room app: boiler's reference scenario (schemas, view hooks, mutation handlers)."""
