"""The storage port the engine talks through, and its implementations (in-memory, Firestore)."""
