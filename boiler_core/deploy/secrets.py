"""Keys and credentials in the content of a file about to be uploaded, whatever its name.

:func:`scan_file` reads a file to its end in chunks of :data:`CHUNK` bytes (memory stays flat for
any size; a signature cut by a chunk boundary is still seen, as chunks overlap) and looks for the
signatures of :data:`SIGNATURES`: PEM private keys, service-account and OAuth fields, tokens with
a known shape, passwords in URLs, ``.npmrc``/``.netrc``/``.pypirc`` lines. A file named like a
dotenv file (``.env``, ``.env.prod``, ``prod.env``) is also read as one: a variable named like a
credential (``STRIPE_SECRET_KEY=...``) counts.

Binary files are read the same way, as bytes: a key kept as text inside them (a ``.pyc`` of a
module holding one) is found. A zip archive (``.zip``, ``.whl``, ``.jar``) is opened and each
member read instead, up to :data:`ZIP_BUDGET` bytes unpacked; an archive it cannot read to the end
(larger, encrypted or damaged) is reported, since what it holds cannot be told. Other compressed or
encrypted formats cannot be read; key stores among them (``.p12``, ``.jks``) are refused by name
(:mod:`boiler_core.deploy.shipping`).

A :class:`Finding` says what was found and on which line, never the text found.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 1 << 20
"""Bytes read at a time."""

OVERLAP = 4096
"""Bytes of the previous chunk read again with the next, longer than any signature's match."""

NOT_A_SECRET = b"boiler: not a secret"
"""A line holding this text (in a comment) is not looked at: the way to ship an example URL or a
test value that looks like a credential and is none."""

ZIP_BUDGET = 512 << 20
"""Unpacked bytes read from one zip archive at most; a larger one is reported as unreadable."""


class Readable(Protocol):
    """What :func:`scan_stream` reads from: a binary file, a zip member."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Finding:
    """A key or credential in a file: what it is and where, never its text."""

    what: str
    """What was found, in words (``a PEM private key (BEGIN RSA PRIVATE KEY)``)."""

    line: int | None = None
    """1-based line of its first occurrence (None for what has no line)."""

    member: str | None = None
    """The member of a zip archive it is in, if any."""

    def __str__(self) -> str:
        text = self.what if self.member is None else f"{self.what} in {self.member}"
        return text if self.line is None else f"{text}, line {self.line}"


@dataclass(frozen=True)
class Signature:
    """What a kind of key or credential looks like in a file."""

    what: str
    """The words a finding uses; ``{0}`` takes the pattern's first group (never the secret)."""

    pattern: re.Pattern[bytes]

    body: re.Pattern[bytes] | None = None
    """What the match, or the :data:`_BODY_WINDOW` bytes after it, must also hold: a key's
    base64 (a PEM marker without a key after it is a parser's constant, not a key)."""

    anchors: tuple[bytes, ...] = ()
    """Lower-case text every match holds: a window holding none of them is not searched (finding
    a literal is much faster than trying a pattern at every byte)."""

    dotenv_only: bool = False
    """Looked for only in files named like dotenv files."""


_BODY_WINDOW = 400

_PLACEHOLDERS = (
    rb"(?!(?i:password|passwd|pass|secret|token|pw|changeme|example|xxx+|\*+)@)"
    rb"(?![$%{<*])"
)
"""What a URL password must not be: a word standing for one, a template or an environment
reference."""


def _re(pattern: bytes, flags: int = 0) -> re.Pattern[bytes]:
    return re.compile(pattern, flags)


_JSON_FIELD = rb"""["']%s["']\s*:\s*["'](?![\s<$%%{])[^"'\n]{%d,}"""

PASSWORD_SETTING = Signature(
    "a password setting (password = ...)",
    _re(rb"(?im)^[ \t]*(?:password|passwd)[ \t]*[=:][ \t]*(?![$%{<])[^\s\"']{3,}[ \t]*$"),
    anchors=(b"password", b"passwd"),
)
"""A ``password =`` line of an ini or YAML file (``.pypirc``); not looked for in Python
sources, where ``password = form["password"]`` is code."""

DOTENV_VARIABLE = Signature(
    "a variable named like a credential ({0})",
    _re(
        rb"(?im)^[ \t]*(?:export[ \t]+)?([A-Z0-9_]*(?:SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|"
        rb"CREDENTIALS?|API_KEY)[A-Z0-9_]*)[ \t]*=[ \t]*[\"']?"
        rb"(?![$\"'\s]|\d+[ \t]*$|(?:true|false)[ \t]*$)\S"
    ),
    dotenv_only=True,
    anchors=(
        b"secret",
        b"password",
        b"passwd",
        b"token",
        b"private_key",
        b"credential",
        b"api_key",
    ),
)
"""``NAME=value`` in a dotenv file, where NAME says secret, password, token, private key,
credential or API key, and the value is neither empty, a number, a boolean nor a ``${...}``
reference. The variable's name is shown, never its value."""

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "a PEM private key (BEGIN {0}PRIVATE KEY)",
        _re(rb"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----"),
        body=_re(rb"[A-Za-z0-9+/]{40,}"),
        anchors=(b"private key",),
    ),
    Signature(
        "a PuTTY private key", _re(rb"PuTTY-User-Key-File-\d+:"), anchors=(b"putty-user-key-file-",)
    ),
    Signature(
        'a "private_key" field (a service-account key)',
        _re(_JSON_FIELD % (b"private_key", 20)),
        body=_re(rb"[A-Za-z0-9+/]{40,}"),
        anchors=(b"private_key",),
    ),
    Signature(
        'a "refresh_token" field (an OAuth refresh token)',
        _re(_JSON_FIELD % (b"refresh_token", 20)),
        anchors=(b"refresh_token",),
    ),
    Signature(
        'a "client_secret" field (an OAuth client secret)',
        _re(_JSON_FIELD % (b"client_secret", 20)),
        anchors=(b"client_secret",),
    ),
    Signature(
        "a Google OAuth client secret", _re(rb"\bGOCSPX-[A-Za-z0-9_-]{20,}"), anchors=(b"gocspx-",)
    ),
    Signature(
        "a Google OAuth access token", _re(rb"\bya29\.[A-Za-z0-9_-]{20,}"), anchors=(b"ya29.",)
    ),
    Signature(
        "an AWS access key id",
        _re(rb"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
        anchors=(b"akia", b"asia"),
    ),
    Signature(
        "an AWS secret access key",
        _re(rb"(?i)aws_secret_access_key\s*[=:]\s*[\"']?[A-Za-z0-9/+]{40}"),
        anchors=(b"aws_secret_access_key",),
    ),
    Signature(
        "a GitHub token",
        _re(rb"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{40,})"),
        anchors=(b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_", b"github_pat_"),
    ),
    Signature("a GitLab token", _re(rb"\bglpat-[A-Za-z0-9_-]{20,}"), anchors=(b"glpat-",)),
    Signature("a Slack token", _re(rb"\bxox[abposr]-[A-Za-z0-9-]{10,}"), anchors=(b"xox",)),
    Signature("a Stripe secret key", _re(rb"\b[sr]k_live_[A-Za-z0-9]{20,}"), anchors=(b"k_live_",)),
    Signature("an npm token", _re(rb"\bnpm_[A-Za-z0-9]{36}"), anchors=(b"npm_",)),
    Signature("a PyPI token", _re(rb"\bpypi-AgE[A-Za-z0-9_-]{50,}"), anchors=(b"pypi-age",)),
    Signature(
        "an npm registry credential (_authToken, _auth or _password)",
        _re(rb"(?m)^[ \t]*(?://\S*?:)?_(?:authToken|auth|password)[ \t]*=[ \t]*(?!\$\{)\S"),
        anchors=(b"_auth", b"_password"),
    ),
    Signature(
        "a password in a URL (scheme://user:password@host)",
        _re(rb"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:" + _PLACEHOLDERS + rb"[^/\s@'\"]{3,}@\w"),
        anchors=(b"://",),
    ),
    Signature(
        "a .netrc password",
        _re(rb"\bmachine\s+\S+\s+(?:login\s+\S+\s+)?password\s+\S"),
        anchors=(b"machine",),
    ),
    PASSWORD_SETTING,
    DOTENV_VARIABLE,
)
"""Every signature looked for."""

_PYTHON_SUFFIXES = (".py", ".pyi")


def is_dotenv(name: str) -> bool:
    """Whether a file of this name is read as a dotenv file."""
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def scan_file(path: Path, *, zip_budget: int = ZIP_BUDGET) -> list[Finding]:
    """The keys and credentials in the file at ``path``. A zip archive's members are read
    instead of the archive, ``zip_budget`` bytes unpacked at most. Raises :class:`OSError` when
    the file cannot be read."""
    if zipfile.is_zipfile(path):
        return _scan_zip(path, zip_budget)
    with path.open("rb") as stream:
        return scan_stream(stream, path.name)


def scan_stream(stream: Readable, name: str) -> list[Finding]:
    """The keys and credentials in ``stream``, read to its end; ``name`` is the file's name."""
    signatures = _signatures_for(name)
    found: dict[Signature, Finding] = {}
    lines_before = 1
    """Line number of the first byte of the current window."""
    tail = b""
    for chunk in _chunks(stream):
        window = tail + chunk
        lowered = window.lower()
        for signature in signatures:
            if signature in found or not _anchored(signature, lowered):
                continue
            finding = _first(signature, window)
            if finding is not None:
                what, offset = finding
                line = lines_before + window.count(b"\n", 0, offset)
                found[signature] = Finding(what, line)
        tail = window[-OVERLAP:]
        lines_before += window.count(b"\n") - tail.count(b"\n")
    return sorted(found.values(), key=lambda f: (f.line or 0, f.what))


def _signatures_for(name: str) -> list[Signature]:
    dotenv = is_dotenv(name)
    python = name.endswith(_PYTHON_SUFFIXES)
    return [
        s
        for s in SIGNATURES
        if (dotenv or not s.dotenv_only) and not (python and s is PASSWORD_SETTING)
    ]


def _anchored(signature: Signature, lowered: bytes) -> bool:
    return not signature.anchors or any(anchor in lowered for anchor in signature.anchors)


def _chunks(stream: Readable) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _first(signature: Signature, window: bytes) -> tuple[str, int] | None:
    """The words and offset of the first match of ``signature`` in ``window`` that is not on a
    line marked :data:`NOT_A_SECRET`."""
    for match in signature.pattern.finditer(window):
        start = window.rfind(b"\n", 0, match.start()) + 1
        end = window.find(b"\n", match.start())
        if NOT_A_SECRET in window[start : end if end != -1 else len(window)]:
            continue
        if signature.body is not None:
            following = window[match.start() : match.end() + _BODY_WINDOW]
            if signature.body.search(following) is None:
                continue
        group = match.group(1).decode("ascii", "replace") if match.re.groups else ""
        return signature.what.format(group), match.start()
    return None


def _scan_zip(path: Path, limit: int) -> list[Finding]:
    findings: list[Finding] = []
    budget = _Budget(limit)
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.flag_bits & _ENCRYPTED:
                    findings.append(Finding("an encrypted member", member=info.filename))
                    continue
                with archive.open(info) as member:
                    found = scan_stream(budget.reader(member), Path(info.filename).name)
                findings.extend(Finding(f.what, f.line, info.filename) for f in found)
    except _OverBudget:
        findings.append(Finding(f"more than {_size(limit)} unpacked, not read to the end"))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        zlib.error,
    ) as exc:
        findings.append(Finding(f"an archive that cannot be read to the end ({exc})"))
    return findings


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count >= 1 << 20 else f"{count:,} bytes"


_ENCRYPTED = 0x1
"""The zip flag bit of an encrypted member."""


class _OverBudget(Exception):
    """An archive unpacks to more than its budget (internal to :func:`_scan_zip`)."""


class _Budget:
    """The bytes left to read from one archive's members."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def reader(self, stream: Readable) -> Readable:
        return _Charged(stream, self)

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _OverBudget


class _Charged:
    """A stream whose reads are charged to a :class:`_Budget`."""

    def __init__(self, stream: Readable, budget: _Budget) -> None:
        self._stream = stream
        self._budget = budget

    def read(self, size: int = -1, /) -> bytes:
        data = self._stream.read(size)
        self._budget.take(len(data))
        return data
