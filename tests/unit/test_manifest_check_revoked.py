"""``project.check_revoked`` in views.yaml: read, checked, embedded in main.py, given to the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.codegen.embed import manifest_text
from boiler_core.errors import ManifestError
from boiler_core.http import deployed_api, local_api
from boiler_core.http.auth import FirebaseTokenVerifier
from boiler_core.manifest import Manifest, load_manifest_text

TEXT = VIEWS_YAML.read_text(encoding="utf-8")


def with_project_line(line: str) -> str:
    return TEXT.replace("region: us-central1", f"region: us-central1\n  {line}")


def test_it_is_off_unless_views_yaml_turns_it_on(manifest: Manifest) -> None:
    assert manifest.project.check_revoked is False
    on = load_manifest_text(with_project_line("check_revoked: true"), base_dir=APP_DIR)
    assert on.project.check_revoked is True


def test_a_value_other_than_a_boolean_is_located() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(with_project_line("check_revoked: sometimes"), base_dir=APP_DIR)
    assert [str(p) for p in caught.value.problems] == [
        "views.yaml:7:18: error: project.check_revoked must be true or false, not a string"
    ]


def test_main_py_embeds_it_only_when_on(manifest: Manifest) -> None:
    on = load_manifest_text(with_project_line("check_revoked: true"), base_dir=APP_DIR)
    assert load_manifest_text(manifest_text(on), base_dir=APP_DIR).project.check_revoked is True
    assert "check_revoked" not in manifest_text(manifest)


@pytest.mark.parametrize("on", [True, False])
def test_the_deployed_and_local_apis_verify_tokens_as_views_yaml_says(
    meeting_room_project: Path, on: bool
) -> None:
    text = with_project_line(f"check_revoked: {str(on).lower()}")
    manifest = load_manifest_text(text, base_dir=meeting_room_project)
    deployed = deployed_api(manifest, base_dir=meeting_room_project / "functions")
    local = local_api(manifest, project="demo-boiler")
    for api in (deployed, local):
        assert isinstance(api.verifier, FirebaseTokenVerifier)
        assert api.verifier.check_revoked is on
