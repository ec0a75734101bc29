"""Structured log lines: one JSON object per line on stdout, Cloud Logging's format.

The engine, the HTTP API, the retries and the deployed functions all log through a
:data:`LogSink`; :func:`print_log` is the one they use unless told otherwise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

LogSink = Callable[[dict[str, Any]], None]
"""Where log entries go: a callable taking one entry (a JSON-serialisable mapping)."""


def print_log(entry: Mapping[str, Any]) -> None:
    """Write ``entry`` to stdout as one JSON line (Cloud Logging's structured format)."""
    sys.stdout.write(json.dumps(entry, default=str) + "\n")
    sys.stdout.flush()
