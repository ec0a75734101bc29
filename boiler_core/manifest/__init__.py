"""views.yaml: the file format, its checks, and the validated model."""

from boiler_core.manifest.loader import load_manifest, load_manifest_text
from boiler_core.manifest.model import Manifest

__all__ = ["Manifest", "load_manifest", "load_manifest_text"]
