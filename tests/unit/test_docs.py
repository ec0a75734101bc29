"""The project's documents stand alone: every relative link resolves inside the repository, and
none cites notes kept outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [
        REPO / "README.md",
        REPO / "CHANGELOG.md",
        *(REPO / "docs").rglob("*.md"),
        *(REPO / "boiler_core" / "templates").rglob("*.md"),
    ]
)
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
OUTSIDE = re.compile(
    r"DESIGN\.md|FIREBASE_FACTS|STYLE\.md|\.\./shared|shared/reference|reference/meeting[_]room"
)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    broken = [
        target
        for target, _ in LINK.findall(text)
        if "://" not in target
        and not target.startswith("mailto:")
        and not (document.parent / target).exists()
    ]
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_document_cites_notes_outside_the_repository(document: Path) -> None:
    assert OUTSIDE.findall(document.read_text(encoding="utf-8")) == []
