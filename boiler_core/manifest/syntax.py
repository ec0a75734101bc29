"""The format of views.yaml: the keys each mapping may hold, and the values some keys take.

Every reader of a section checks its mapping against the table here, so the format is written in
one place; the JSON Schema shipped for editors (``views.schema.json``) is tested against these
tables so the two cannot drift.
"""

from __future__ import annotations

import yaml

from boiler_core.manifest.model import HttpMethod

TOP_KEYS = ("version", "project", "collections", "views", "mutations")
PROJECT_KEYS = (
    "region",
    "runtime",
    "emulator_project_id",
    "functions_dir",
    "cors_origins",
    "requirements",
    "data_files",
    "index_deep_sources",
    "check_revoked",
    "retry",
    "backstop",
)
REMOVED_PROJECT_KEYS = {
    "carry_changed_document": "the engine always reads the changed document inside the transaction"
}
"""Options of earlier versions, each with why it went (an error that says so, not "unknown key")."""
RETRY_KEYS = (
    "max_attempts",
    "min_backoff_seconds",
    "max_backoff_seconds",
    "max_doublings",
    "max_concurrent",
)
BACKSTOP_KEYS = ("every_minutes", "limit", "verify_roots")
COLLECTION_KEYS = ("path", "schema", "client")
CLIENT_KEYS = ("read", "write")
VIEW_KEYS = ("path", "root", "joins", "fields", "copies", "read", "description")
JOIN_KEYS = ("collection", "ref", "refs", "query", "op", "key", "parent")
FIELD_KEYS = (
    "source",
    "default",
    "equals",
    "count",
    "list",
    "where",
    "sort",
    "item",
    "limit",
    "hook",
    "reads",
)
COPY_KEYS = ("path", "for_each")
VIEW_POLICY_KEYS = ("owner", "members", "rule")
CLIENT_POLICY_KEYS = ("owner", "rule")
MUTATION_POLICY_KEYS = ("member-of", "hook")
MUTATION_KEYS = ("route", "body", "handler", "policy", "description")

Items = dict[str, tuple[yaml.Node, yaml.Node]]
"""A checked mapping: ``{key: (key_node, value_node)}`` (see :meth:`Reader.mapping`)."""

RUNTIMES = ("python311", "python312", "python313")
"""The Cloud Functions runtimes boiler supports: the Pythons it is tested on."""
HTTP_METHODS: tuple[HttpMethod, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
"""The methods a mutation's ``route`` may name."""
FORMAT_VERSION = 1
"""The ``version`` of views.yaml this boiler reads."""
