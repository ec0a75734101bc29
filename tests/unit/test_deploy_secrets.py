"""No secret ships: the content check of what ``boiler deploy`` uploads
(boiler_core/deploy/secrets.py), and ``boiler deploy --dry-run`` run for real on a copy of the
meeting-room app whose functions folder holds the key and credential files a careless project
holds: each is either left out by firebase.json's ``ignore`` or refused by name, and no output
holds the secret. The keys are made when the test runs (cryptography) and the tokens are put
together from parts, so the repository holds none.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from deploy_fakes import FAKE_FIREBASE, DeployApp, deploy_app, errors
from meeting_room_app import generated_project

from boiler_core.deploy.bundle import dotenv_problems
from boiler_core.deploy.secrets import CHUNK, SIGNATURES, Signature, scan_file, scan_stream

PEM = serialization.Encoding.PEM
NO_PASSWORD = serialization.NoEncryption()


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, NO_PASSWORD).decode()


def _openssh(key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(PEM, serialization.PrivateFormat.OpenSSH, NO_PASSWORD).decode()


def _ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        PEM, serialization.PrivateFormat.TraditionalOpenSSL, NO_PASSWORD
    ).decode()


def _token(prefix: str, length: int = 36) -> str:
    return prefix + ("Zq8" * length)[:length]


def _service_account(project: str) -> str:
    return json.dumps(
        {
            "type": "service_account",
            "project_id": project,
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": _rsa_pem(),
            "client_email": f"firebase-adminsdk-x1y2z@{project}.iam.gserviceaccount.com",
        },
        indent=2,
    )


def planted() -> dict[str, str | bytes]:
    """The 24 files, by path in the functions folder."""
    github = _token("gh" + "p_")
    oauth = _token("GOC" + "SPX-", 28)
    refresh = _token("1//0g", 60)
    aws_id = "AK" + "IA" + "QWERTYUIOPASDFGH"
    aws_secret = ("wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY")[:40]
    return {
        "acme-prod-firebase-adminsdk-x1y2z-0123456789.json": _service_account("acme-prod"),
        "key.json": _service_account("acme-prod"),
        "serviceAccountKey.json": _service_account("acme-prod"),
        "gha-creds-1f2e3d4c5b6a.json": _service_account("acme-prod"),
        ".env": f"REGION=europe-west1\nSTRIPE_SECRET_KEY={_token('sk_' + 'live_', 24)}\n",
        ".env.local": f"DATABASE_PASSWORD={_token('pw', 16)}\n",
        "secrets.json": json.dumps({"stripe": _token("sk_" + "live_", 24)}),
        "credentials.json": json.dumps(
            {
                "installed": {
                    "client_id": "123-abc.apps.googleusercontent.com",
                    "client_secret": oauth,
                }
            }
        ),
        "client_secret_123-abc.apps.googleusercontent.com.json": json.dumps(
            {"web": {"client_id": "123-abc.apps.googleusercontent.com", "client_secret": oauth}}
        ),
        "token.json": json.dumps(
            {"token": _token("ya29.", 60), "refresh_token": refresh, "client_secret": oauth}
        ),
        "application_default_credentials.json": json.dumps(
            {"type": "authorized_user", "client_secret": oauth, "refresh_token": refresh}
        ),
        "id_rsa": _openssh(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "id_ed25519": _openssh(ed25519.Ed25519PrivateKey.generate()),
        "server.pem": _ec_pem(),
        "tls.key": _rsa_pem(),
        "cert.p12": b"\x30\x82\x0a\x1f\x02\x01\x03\x30\x82\x09\xe5\x06\x09" + bytes(range(256)),
        ".git-credentials": f"https://octocat:{github}@github.com\n",
        ".git/config": (
            '[remote "origin"]\n'
            f"\turl = https://x-access-token:{github}@github.com/acme/app.git\n"
            "\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        ),
        ".npmrc": f"//registry.npmjs.org/:_authToken={_token('npm' + '_')}\n",
        ".netrc": f"machine api.github.com\n  login octocat\n  password {github}\n",
        ".pypirc": f"[pypi]\nusername = __token__\npassword = {_token('pypi-' + 'AgEI', 70)}\n",
        ".aws/credentials": (
            f"[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"
        ),
        "meeting_room/signing.py": f'"""Signs links."""\n\nKEY = """{_rsa_pem()}"""\n',
        "meeting_room/github.py": f'"""Posts to GitHub."""\n\nTOKEN = "{github}"\n',
    }


SECRETS_SHOWN = ("PRIVATE KEY-----\nMI", "Zq8Zq8", "QWERTYUIOPASDFGH", "wJalrXUtnFEMI")
"""Pieces of the planted secrets that no output may hold."""


@pytest.fixture
def app(tmp_path: Path) -> DeployApp:
    root = generated_project(tmp_path / "app")
    for path, content in planted().items():
        target = root / "functions" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    made = deploy_app(root, tmp_path)
    made.fake_python("3.11")
    made.fake("firebase", FAKE_FIREBASE)
    return made


def set_ignore(app: DeployApp, ignore: list[str] | None) -> None:
    """firebase.json's ignore of boiler's codebase: ``None`` keeps the app's own."""
    if ignore is None:
        return
    path = app.root / "firebase.json"
    config = json.loads(path.read_text())
    config["functions"][0]["ignore"] = ignore
    path.write_text(json.dumps(config))


def left_out(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The entries the plan says firebase.json's ignore leaves out."""
    for line in result.stdout.splitlines():
        if "left out by firebase.json's ignore: " in line:
            listed = line.split("left out by firebase.json's ignore: ", 1)[1]
            return [] if listed == "nothing" else listed.split(", ")
    return []


def fate(path: str, result: subprocess.CompletedProcess[str], ignored: list[str]) -> str:
    """``refused`` when an error names ``functions/PATH``, ``left out`` when the ignore leaves it
    (or a folder above it) out, ``shipped`` otherwise."""
    named = re.compile(rf"functions/{re.escape(path)}(?=[\s:,)]|$)")
    if any(named.search(line) for line in errors(result)):
        return "refused"
    parts = path.split("/")
    above = {"/".join(parts[:i]) + "/" for i in range(1, len(parts))}
    if path in ignored or above & set(ignored):
        return "left out"
    return "shipped"


def dry_run(app: DeployApp) -> subprocess.CompletedProcess[str]:
    return app.run("--dry-run", PROJECT="acme-prod", FAKE_PYTHON_VERSION="3.11")


@pytest.mark.parametrize(
    "ignore",
    [None, ["venv", "__pycache__"]],
    ids=["the apps own ignore", "the ignore firebase init writes"],
)
def test_no_planted_secret_file_ships(app: DeployApp, ignore: list[str] | None) -> None:
    set_ignore(app, ignore)
    result = dry_run(app)
    ignored = left_out(result)
    fates = {path: fate(path, result, ignored) for path in planted()}
    shipped = [path for path, what in fates.items() if what == "shipped"]
    assert shipped == [], result.stderr
    assert result.returncode == 1
    assert errors(result)[-1] == (
        "boiler deploy: error: the bundle is not fit to deploy (problems above)"
    )
    output = result.stdout + result.stderr
    for piece in SECRETS_SHOWN:
        assert piece not in output
    if ignore is not None:
        assert set(fates.values()) == {"refused"}


def test_the_meeting_room_app_ships_as_it_is(tmp_path: Path) -> None:
    made = deploy_app(generated_project(tmp_path / "app"), tmp_path)
    made.fake_python("3.11")
    result = dry_run(made)
    assert result.returncode == 0, result.stderr


# ---- what the content check finds ------------------------------------------------------------

EXPECTED = {
    "acme-prod-firebase-adminsdk-x1y2z-0123456789.json": 'a "private_key" field',
    "key.json": "a PEM private key (BEGIN PRIVATE KEY)",
    ".env": "a variable named like a credential (STRIPE_SECRET_KEY)",
    ".env.local": "a variable named like a credential (DATABASE_PASSWORD)",
    "secrets.json": "a Stripe secret key",
    "credentials.json": 'a "client_secret" field',
    "client_secret_123-abc.apps.googleusercontent.com.json": "a Google OAuth client secret",
    "token.json": 'a "refresh_token" field',
    "application_default_credentials.json": 'a "refresh_token" field',
    "id_rsa": "a PEM private key (BEGIN OPENSSH PRIVATE KEY)",
    "id_ed25519": "a PEM private key (BEGIN OPENSSH PRIVATE KEY)",
    "server.pem": "a PEM private key (BEGIN EC PRIVATE KEY)",
    ".git-credentials": "a password in a URL",
    ".git/config": "a GitHub token",
    ".npmrc": "an npm registry credential",
    ".netrc": "a .netrc password",
    ".pypirc": "a PyPI token",
    ".aws/credentials": "an AWS access key id",
    "meeting_room/signing.py": "a PEM private key (BEGIN PRIVATE KEY)",
    "meeting_room/github.py": "a GitHub token",
}


def write(folder: Path, path: str, content: str | bytes) -> Path:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return target


@pytest.mark.parametrize(("path", "expected"), sorted(EXPECTED.items()))
def test_the_content_of_each_planted_file_is_recognised(
    tmp_path: Path, path: str, expected: str
) -> None:
    found = [str(f) for f in scan_file(write(tmp_path, path, planted()[path]))]
    assert any(f.startswith(expected) for f in found), found


def samples() -> dict[str, tuple[str, str]]:
    """For each signature's words, a file name and a text holding one such secret."""
    pem = _ec_pem()
    return {
        "a PEM private key (BEGIN {0}PRIVATE KEY)": ("k.txt", pem),
        "a PuTTY private key": ("k.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\n"),
        'a "private_key" field (a service-account key)': (
            "k.json",
            json.dumps({"private_key": pem.replace("-----BEGIN EC PRIVATE KEY-----", "")}),
        ),
        'a "refresh_token" field (an OAuth refresh token)': (
            "t.json",
            json.dumps({"refresh_token": _token("1//0g", 40)}),
        ),
        'a "client_secret" field (an OAuth client secret)': (
            "c.json",
            json.dumps({"client_secret": _token("cs", 24)}),
        ),
        "a Google OAuth client secret": ("c.txt", _token("GOC" + "SPX-", 28)),
        "a Google OAuth access token": ("a.txt", _token("ya" + "29.", 40)),
        "an AWS access key id": ("a.txt", "id: " + "AK" + "IA" + "QWERTYUIOPASDFGH"),
        "an AWS secret access key": ("a.cfg", "aws_secret_access_key = " + "Zq8" * 13 + "Z"),
        "a GitHub token": ("g.txt", _token("github" + "_pat_", 60)),
        "a GitLab token": ("g.txt", _token("gl" + "pat-", 20)),
        "a Slack token": ("s.txt", _token("xo" + "xb-", 30)),
        "a Stripe secret key": ("s.txt", _token("rk_" + "live_", 24)),
        "an npm token": ("n.txt", _token("npm" + "_")),
        "a PyPI token": ("p.txt", _token("pypi-" + "AgEI", 60)),
        "an npm registry credential (_authToken, _auth or _password)": (
            ".npmrc",
            "_auth=" + _token("dX", 20) + "\n",
        ),
        "a password in a URL (scheme://user:password@host)": (
            "u.py",
            'DB = "redis://:' + _token("pw", 12) + '@cache:6379/0"\n',
        ),
        "a .netrc password": (".netrc", "machine example.com password " + _token("pw", 12)),
        "a password setting (password = ...)": ("app.yaml", "password: " + _token("pw", 12)),
        "a variable named like a credential ({0})": (
            "prod.env",
            "export API_KEY=" + _token("k", 20),
        ),
    }


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.what)
def test_each_signature_is_found_where_it_is_looked_for(
    tmp_path: Path, signature: Signature
) -> None:
    name, text = samples()[signature.what]
    found = [f.what for f in scan_file(write(tmp_path, name, text))]
    assert any(f.startswith(signature.what.split("{0}")[0]) for f in found), found


def test_every_signature_has_a_sample() -> None:
    assert set(samples()) == {s.what for s in SIGNATURES}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pem.py", 'BEGIN = "-----BEGIN PRIVATE KEY-----"\nEND = "-----END PRIVATE KEY-----"\n'),
        ("login.py", 'password = request.json["password"]\n'),
        ("urls.py", 'url = f"postgres://{user}:{password}@{host}/db"\n'),
        ("docs.md", "Connect with postgres://user:password@db.example.com/app.\n"),
        (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
        (".env", "TOKEN_TTL=3600\nUSE_SECRET_MANAGER=true\nDB_PASSWORD=\nAPI_KEY=${KEY}\n"),
        ("sample.json", '{"private_key": "<key bytes>", "client_secret": "clientSecret"}'),
        ("rates.csv", "room,seats\nA,12\nB,8\n"),
    ],
)
def test_what_only_looks_like_a_credential_is_not_refused(
    tmp_path: Path, name: str, content: str
) -> None:
    assert scan_file(write(tmp_path, name, content)) == []


def test_a_line_marked_not_a_secret_is_passed_over(tmp_path: Path) -> None:
    github = _token("gh" + "p_")
    text = f'EXAMPLE = "{github}"  # boiler: not a secret\nREAL = "{github}"\n'
    assert [str(f) for f in scan_file(write(tmp_path, "example.py", text))] == [
        "a GitHub token, line 2"
    ]


def test_a_key_across_a_chunk_boundary_is_found_on_its_line(tmp_path: Path) -> None:
    filler = b"x" * 99 + b"\n"
    lines = (CHUNK - 20) // len(filler)
    data = filler * lines + b"#" * (CHUNK - 20 - len(filler) * lines) + _rsa_pem().encode()
    assert len(data) > CHUNK
    [finding] = scan_file(write(tmp_path, "big.txt", data))
    assert (finding.what, finding.line) == ("a PEM private key (BEGIN PRIVATE KEY)", lines + 1)


def test_a_key_inside_a_binary_file_is_found(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40 + _ec_pem().encode() + b"\x00" * 64
    [finding] = scan_file(write(tmp_path, "model.bin", data))
    assert finding.what == "a PEM private key (BEGIN EC PRIVATE KEY)"


def zip_of(path: Path, members: dict[str, str], *, encrypted: bool = False) -> Path:
    """A zip archive of ``members``; ``encrypted`` marks its one member encrypted, as an
    archive made with a password does (zipfile writes none)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    if encrypted:
        data = bytearray(path.read_bytes())
        for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            data[data.index(signature) + flags] |= 0x1
        path.write_bytes(bytes(data))
    return path


def test_the_members_of_a_zip_archive_are_read(tmp_path: Path) -> None:
    archive = zip_of(
        tmp_path / "bundle.zip",
        {"data/rates.csv": "a,b\n", "deploy/key.json": _service_account("acme")},
    )
    found = scan_file(archive)
    assert {(f.member, f.line) for f in found} == {("deploy/key.json", 5)}
    assert "in deploy/key.json, line 5" in str(found[0])


def test_a_zip_archive_that_cannot_be_read_to_the_end_is_reported(tmp_path: Path) -> None:
    encrypted = zip_of(tmp_path / "a.zip", {"x.txt": "hello"}, encrypted=True)
    assert [str(f) for f in scan_file(encrypted)] == ["an encrypted member in x.txt"]
    large = zip_of(tmp_path / "b.zip", {"x.txt": "y" * 5000})
    assert [str(f) for f in scan_file(large, zip_budget=4096)] == [
        "more than 4,096 bytes unpacked, not read to the end"
    ]


def test_dotenv_files_firebase_deploy_reads_are_checked_even_when_not_uploaded(
    tmp_path: Path,
) -> None:
    write(tmp_path, ".env", "REGION=europe-west1\n")
    write(tmp_path, ".env.acme-prod", f"MAIL_PASSWORD={_token('pw', 16)}\n")
    write(tmp_path, ".env.local", f"MAIL_PASSWORD={_token('pw', 16)}\n")
    [problem] = dotenv_problems(tmp_path, "functions")
    assert problem.startswith(
        "functions/.env.acme-prod holds a variable named like a credential (MAIL_PASSWORD), "
        "line 1: firebase deploy sets every variable of it on the deployed functions"
    )
    assert dotenv_problems(tmp_path, "functions", checked=[".env.acme-prod"]) == []


def test_a_finding_never_holds_the_secret() -> None:
    github = _token("gh" + "p_")
    text = f"url = https://octocat:{github}@github.com\n"
    found = [str(f) for f in scan_stream(io.BytesIO(text.encode()), "config")]
    assert found == [
        "a GitHub token, line 1",
        "a password in a URL (scheme://user:password@host), line 1",
    ]
