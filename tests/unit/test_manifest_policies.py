"""``boiler check`` refuses what security rules or the CORS allow-list could not enforce.

Each case edits one spot of the tests' meeting-room views.yaml and asserts the exact
``views.yaml:LINE:COL: error: WHAT (HINT)`` lines reported.
"""

from __future__ import annotations

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.errors import ManifestError
from boiler_core.manifest import load_manifest_text
from boiler_core.manifest.model import ClientAccess, Manifest, Policy

SHIPPED = VIEWS_YAML.read_text(encoding="utf-8")
USERS_PATH = "    path: users/{user}\n"
FUNCTIONS_DIR = "  functions_dir: functions\n"
RULE_HINT = "(write one Firestore rules condition, e.g. request.auth.token.admin == true)"


def edited(old: str, new: str) -> str:
    assert old in SHIPPED, f"test edit does not apply: {old!r}"
    return SHIPPED.replace(old, new, 1)


def problems_after(old: str, new: str) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(edited(old, new), base_dir=APP_DIR)
    return [str(p) for p in caught.value.problems]


def loaded_after(old: str, new: str) -> Manifest:
    return load_manifest_text(edited(old, new), base_dir=APP_DIR)


def with_client(access: str) -> tuple[str, str]:
    return USERS_PATH, f"{USERS_PATH}    client: {access}\n"


def with_origins(origins: str) -> tuple[str, str]:
    return FUNCTIONS_DIR, f"{FUNCTIONS_DIR}  cors_origins: {origins}\n"


CASES = [
    pytest.param(
        "read: {members: users}",
        "read: {members: user}",
        "views.yaml:49:11: error: read policy of view 'meeting_sessions': members join 'user' is "
        "not a join of the view (did you mean 'users'?)",
        id="members-join-unknown",
    ),
    pytest.param(
        "read: {members: users}",
        "read: {members: location}",
        "views.yaml:49:11: error: read policy of view 'meeting_sessions': members join 'location' "
        "is a ref join, which yields one document (make it a refs or query join, or use "
        "{rule: ...} on the field 'location')",
        id="members-join-yields-one-document",
    ),
    pytest.param(
        "read: {owner: user}",
        "read: {members: meeting_location}",
        "views.yaml:67:11: error: read policy of view 'user_profiles': members join "
        "'meeting_location' hangs from join 'meetings', not from the root (name a refs or query "
        "join of the root, whose document ids are the readers' uids)",
        id="members-join-not-of-the-root",
    ),
    pytest.param(
        "read: {owner: user}",
        "read: {owner: meeting}",
        "views.yaml:67:11: error: read policy of view 'user_profiles': owner variable 'meeting' is "
        "not in the path 'user_profiles/{user}' (use one of: user)",
        id="owner-variable-not-in-path",
    ),
    pytest.param(
        "read: {owner: user}",
        "read: {rule: 'request.auth != null && (resource.data.x == 1'}",
        "views.yaml:67:18: error: read policy of view 'user_profiles': rule expression "
        "'request.auth != null && (resource.data.x == 1' has an unclosed '(' at character 25 "
        + RULE_HINT,
        id="rule-unclosed-bracket",
    ),
    pytest.param(
        "read: {owner: user}",
        "read: {rule: 'request.auth.uid == user)'}",
        "views.yaml:67:18: error: read policy of view 'user_profiles': rule expression "
        "'request.auth.uid == user)' has an unbalanced ')' at character 25 " + RULE_HINT,
        id="rule-unbalanced-bracket",
    ),
    pytest.param(
        "read: {owner: user}",
        """read: {rule: 'resource.data.name == "x'}""",
        "views.yaml:67:18: error: read policy of view 'user_profiles': rule expression "
        """'resource.data.name == "x' has an unterminated string at character 23 """ + RULE_HINT,
        id="rule-unterminated-string",
    ),
    pytest.param(
        "read: {owner: user}",
        "read: {rule: 'true; } match /{d=**} { allow write: if true'}",
        "views.yaml:67:18: error: read policy of view 'user_profiles': rule expression "
        "'true; } match /{d=**} { allow write: if true' has a ';' at character 5, which would "
        "end the allow statement " + RULE_HINT,
        id="rule-escaping-its-statement",
    ),
    pytest.param(
        "read: {owner: user}",
        "read: {rule: 'true // all'}",
        "views.yaml:67:18: error: read policy of view 'user_profiles': rule expression "
        "'true // all' has a comment at character 6, which would hide the rest of it " + RULE_HINT,
        id="rule-with-comment",
    ),
    pytest.param(
        "      latitude: location.latitude",
        "      _members: location.latitude",
        "views.yaml:35:7: error: field name '_members' of view 'meeting_sessions' starts with "
        "'_', which is reserved for boiler's bookkeeping fields (_members) (rename it, e.g. "
        "'members')",
        id="field-name-reserved",
    ),
    pytest.param(
        "path: user_profiles/{user}",
        "path: user_profiles/{request}",
        "views.yaml:53:11: error: variable '{request}' of view path 'user_profiles/{request}' is "
        "a reserved name of security rules (rename it, e.g. {request_id})",
        id="path-variable-shadowing-a-rules-global",
    ),
    pytest.param(
        "path: users/{user}/meeting_sessions/{meeting}",
        "path: users/{in}/meeting_sessions/{meeting}",
        "views.yaml:47:15: error: variable '{in}' of copy path 'users/{in}/meeting_sessions/"
        "{meeting}' is a reserved name of security rules (rename it, e.g. {in_id})",
        id="path-variable-a-rules-keyword",
    ),
    pytest.param(
        *with_client("{write: public}"),
        "views.yaml:14:21: error: client write policy of collection 'users' may not be public: "
        "anyone, signed in or not, could change it (use signed-in, {owner: VARIABLE} or "
        "{rule: EXPRESSION})",
        id="client-write-public",
    ),
    pytest.param(
        *with_client("{read: {owner: uid}}"),
        "views.yaml:14:20: error: client read policy of collection 'users': owner variable 'uid' "
        "is not in the path 'users/{user}' (use one of: user)",
        id="client-owner-variable-not-in-path",
    ),
    pytest.param(
        *with_client("{read: {members: users}}"),
        "views.yaml:14:21: error: unknown key 'members' in client read policy "
        "(allowed keys: owner, rule)",
        id="client-members-unavailable",
    ),
    pytest.param(
        *with_client("{reed: public}"),
        "views.yaml:14:14: error: unknown key 'reed' in client access of collection 'users' "
        "(did you mean 'read'?)",
        id="client-unknown-key",
    ),
    pytest.param(
        *with_client("""{write: {rule: 'x =="'}}"""),
        "views.yaml:14:28: error: client write policy of collection 'users': rule expression "
        """'x =="' has an unterminated string at character 5 """ + RULE_HINT,
        id="client-rule-unterminated-string",
    ),
    pytest.param(
        *with_origins("[http://app.example.com]"),
        "views.yaml:10:18: error: origin 'http://app.example.com' in project.cors_origins uses "
        "plain http (use https://app.example.com; http is for localhost only)",
        id="origin-plain-http",
    ),
    pytest.param(
        *with_origins("[https://app.example.com/login]"),
        "views.yaml:10:18: error: origin 'https://app.example.com/login' in project.cors_origins "
        "is not an origin (an origin has no path or trailing slash: write "
        "'https://app.example.com')",
        id="origin-with-path",
    ),
    pytest.param(
        *with_origins("[app.example.com]"),
        "views.yaml:10:18: error: origin 'app.example.com' in project.cors_origins is not an "
        "origin (write scheme://host[:port], e.g. https://app.example.com or "
        "http://localhost:5173)",
        id="origin-without-scheme",
    ),
    pytest.param(
        *with_origins("[https://App.example.com]"),
        "views.yaml:10:18: error: origin 'https://App.example.com' in project.cors_origins must "
        "be lower case (write 'https://app.example.com')",
        id="origin-upper-case",
    ),
    pytest.param(
        *with_origins("[https://a.example, https://a.example]"),
        "views.yaml:10:37: error: origin 'https://a.example' is listed twice in "
        "project.cors_origins",
        id="origin-twice",
    ),
    pytest.param(
        *with_origins("['*', https://a.example]"),
        "views.yaml:10:18: error: origin '*' in project.cors_origins allows every origin, so the "
        "other entries mean nothing (list the origins your front end is served from, or use '*' "
        "alone)",
        id="origin-star-with-others",
    ),
    pytest.param(
        *with_origins("{a: 1}"),
        "views.yaml:10:17: error: project.cors_origins must be a list, not a mapping",
        id="origins-not-a-list",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_check_refuses_policies_and_origins_that_cannot_be_enforced(
    old: str, new: str, expected: str
) -> None:
    assert problems_after(old, new) == [expected]


def test_shipped_manifest_keeps_domain_collections_closed_and_no_cors_origin() -> None:
    manifest = load_manifest_text(SHIPPED, base_dir=APP_DIR)
    assert all(c.client == ClientAccess() for c in manifest.collections.values())
    assert manifest.project.cors_origins == ()


def test_client_access_is_read_into_the_model() -> None:
    manifest = loaded_after(*with_client("{read: signed-in, write: {owner: user}}"))
    assert manifest.collections["users"].client == ClientAccess(
        read=Policy("signed-in"), write=Policy("owner", "user")
    )


@pytest.mark.parametrize(
    ("written", "origins"),
    [
        (
            "[https://app.example.com, 'http://localhost:5173', 'http://127.0.0.1:8080']",
            ("https://app.example.com", "http://localhost:5173", "http://127.0.0.1:8080"),
        ),
        ("'https://[::1]:8443'", ("https://[::1]:8443",)),
        ("'*'", ("*",)),
        ("[]", ()),
    ],
)
def test_cors_origins_accept_origins_loopback_http_and_a_lone_star(
    written: str, origins: tuple[str, ...]
) -> None:
    assert loaded_after(*with_origins(written)).project.cors_origins == origins


def test_a_multi_line_rule_expression_is_accepted() -> None:
    manifest = loaded_after(
        "read: {owner: user}",
        "read:\n      rule: |-\n        request.auth != null\n        && request.auth.uid == user",
    )
    policy = manifest.views["user_profiles"].read
    assert policy == Policy("rule", "request.auth != null\n&& request.auth.uid == user")
