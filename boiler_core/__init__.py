"""boiler: keep Firestore view collections exactly current from normalized domain collections."""

__version__ = "0.2.0"
