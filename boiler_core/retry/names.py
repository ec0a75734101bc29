"""The names the generated files give the retry machinery: its functions, its collection.

Kept apart from the modules that use them so that rendering files (``boiler generate``) loads
none of the Firestore or firebase-admin clients those modules need.
"""

RETRY_FUNCTION = "boilerRetry"
"""Name (and Cloud Functions id) of the generated retry function. Cloud Tasks names the
function's queue after it, and a queue id allows letters, digits and hyphens only: no ``_``."""

BACKSTOP_FUNCTION = "boilerBackstop"
"""Name (and Cloud Functions id) of the generated scheduled backstop."""

PENDING_COLLECTION = "_boiler_pending"
"""Where unfinished events wait for the backstop."""

PAYLOAD_FIELD = "payload"
"""The field holding the task's JSON (exempt from indexing)."""
