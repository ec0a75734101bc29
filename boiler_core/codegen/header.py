"""The first line of every generated file that can carry a comment."""

from __future__ import annotations

HEADER = "# generated from views.yaml by boiler; do not edit."
"""No timestamp or version: generating twice from the same views.yaml gives identical files."""
