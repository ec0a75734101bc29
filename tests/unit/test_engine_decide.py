"""What a chunk's roots must hold, decided without a store: the documents each root implies, the
paths to read before writing, and the roots that fail alone."""

from __future__ import annotations

from boiler_core.documents import Doc
from boiler_core.engine.decide import chunk_outputs
from boiler_core.manifest import load_manifest_text
from boiler_core.versions import version_of

NOTES = """
version: 1
collections:
  notes: {path: "notes/{note}"}
views:
  note_cards:
    path: "note_cards/{note}"
    root: notes
    fields:
      title: title
"""
VIEW = load_manifest_text(NOTES).views["note_cards"]


def test_a_root_implies_its_master_and_a_gone_root_only_candidates_to_delete() -> None:
    roots = {"n1": Doc("notes/n1", {"title": "Plans"}), "n2": None}
    named = {"n2": {"x/n2/copy"}}
    orphans = {"n2": {"y/n2/copy"}}
    outputs = chunk_outputs(VIEW, roots, {}, named, orphans, {}, index=True)
    content = {"title": "Plans"}
    assert outputs.desired == {"note_cards/n1": {**content, "_version": version_of(content)}}
    assert outputs.candidates == {"note_cards/n1", "note_cards/n2", "x/n2/copy", "y/n2/copy"}
    assert outputs.sizes["note_cards/n1"] > 0
    assert outputs.failed == ()


def test_a_root_firestore_would_refuse_fails_alone_and_leaves_nothing_to_read() -> None:
    roots = {
        "big": Doc("notes/big", {"title": "x" * 1_100_000}),
        "ok": Doc("notes/ok", {"title": "fine"}),
    }
    outputs = chunk_outputs(VIEW, roots, {}, {"big": {"x/big/copy"}}, {}, {}, index=True)
    assert [f.document for f in outputs.failed] == ["notes/big"]
    assert outputs.candidates == {"note_cards/ok"}
    assert list(outputs.desired) == ["note_cards/ok"]
