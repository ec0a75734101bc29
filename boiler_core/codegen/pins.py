"""The versions boiler's tests ran with, pinned in the generated ``functions/requirements.txt``.

``pins.txt`` beside this module (shipped in the wheel, checked in) lists them as ``name==version``
lines: boiler's own runtime dependencies, and every package of the Google and Firebase client and
trigger stack below them (:func:`pinned`: ``google-*``, ``googleapis-*``, ``grpcio*``,
``protobuf``, ``proto-plus``, ``functions-framework``, ``cloudevents``). Those are what boiler's
fast path reaches into (:mod:`boiler_core.store.internals`) and what decodes every trigger event;
a deploy installs exactly the versions its tests ran. The other packages below them (requests,
urllib3, cryptography, ...) keep the ranges their dependents declare, so that their security
releases reach a deploy without a boiler release.

The development venv installs the pins as pip constraints (``make install``), so every test run
(also CI's) runs them, and ``make test`` checks that the venv holds them
(``python -m boiler_core.codegen.pins --check``). A maintainer refreshes them with ``make pins``:
a fresh venv resolves the newest versions pyproject.toml allows, then
``python -m boiler_core.codegen.pins --refresh`` run in it rewrites ``pins.txt`` from what it
installed (the environment the tests then run in).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PINS_FILE = Path(__file__).with_name("pins.txt")
DISTRIBUTION = "boiler-core"

STACK = re.compile(
    r"^(google-|googleapis-|grpcio|protobuf$|proto-plus$|functions-framework$|cloudevents$)"
)
"""Packages of the client and trigger stack, pinned wherever they sit below boiler."""

HEADER = """\
# The versions boiler's tests ran with: its runtime dependencies and the Google and Firebase
# client and trigger stack below them. `boiler generate` pins them in functions/requirements.txt;
# the development venv installs them as constraints. Written by `make pins`; do not edit.
"""


@dataclass(frozen=True, order=True)
class Pin:
    """One pinned distribution."""

    name: str
    """Normalized distribution name (PEP 503: lower case, runs of ``-_.`` as ``-``)."""
    version: str

    def line(self) -> str:
        return f"{self.name}=={self.version}"


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def load_pins(path: Path = PINS_FILE) -> tuple[Pin, ...]:
    """The pins of ``path`` (``name==version`` lines; ``#`` starts a comment), sorted by name."""
    pins = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, separator, version = line.partition("==")
        if not separator or not name.strip() or not version.strip():
            raise ValueError(f"{path}:{number}: expected name==version, got {raw!r}")
        pins.append(Pin(normalize(name.strip()), version.strip()))
    return tuple(sorted(pins))


def render_pins(pins: Iterable[Pin]) -> str:
    """The text of ``pins.txt``."""
    return HEADER + "".join(f"{pin.line()}\n" for pin in sorted(pins))


def pinned(direct: Iterable[str], installed: dict[str, str]) -> tuple[Pin, ...]:
    """The pins for an environment: boiler's ``direct`` dependencies and the stack packages among
    ``installed`` (the versions of boiler's runtime closure, by normalized name)."""
    wanted = {normalize(name) for name in direct}
    return tuple(
        sorted(
            Pin(name, version)
            for name, version in installed.items()
            if name in wanted or STACK.match(name)
        )
    )


def runtime_closure(distribution: str = DISTRIBUTION) -> tuple[list[str], dict[str, str]]:
    """The installed ``distribution``'s direct runtime dependencies (names), and the version of
    every distribution its runtime needs, by normalized name (itself left out): the requirements
    without extras, and with the extras they name, whose markers hold here."""
    from packaging.requirements import Requirement  # a maintainer's tool: from the dev venv

    def needs(name: str, extras: frozenset[str]) -> list[Requirement]:
        found = []
        for text in metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *extras}):
                found.append(requirement)
        return found

    direct = [requirement.name for requirement in needs(distribution, frozenset())]
    versions: dict[str, str] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    todo = [(distribution, frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        if (normalize(name), extras) in done:
            continue
        done.add((normalize(name), extras))
        versions[normalize(name)] = metadata.version(name)
        todo += [(req.name, frozenset(req.extras)) for req in needs(name, extras)]
    versions.pop(normalize(distribution))
    return direct, versions


def differences(wanted: Sequence[Pin], installed: dict[str, str]) -> list[str]:
    """Each pin the environment does not hold, in words."""
    return [
        f"{pin.name}: pinned {pin.version}, installed {installed.get(pin.name, 'nothing')}"
        for pin in wanted
        if installed.get(pin.name) != pin.version
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m boiler_core.codegen.pins",
        description="Check or refresh boiler's pins (pins.txt) from the running environment.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--refresh", action="store_true", help=f"rewrite {PINS_FILE.name} from this environment"
    )
    action.add_argument(
        "--check", action="store_true", help="exit 1 when this environment differs from the pins"
    )
    args = parser.parse_args(argv)
    direct, installed = runtime_closure()
    if args.refresh:
        pins = pinned(direct, installed)
        PINS_FILE.write_text(render_pins(pins), encoding="utf-8")
        print(f"{PINS_FILE}: {len(pins)} pins from {sys.prefix}")
        return 0
    problems = differences(load_pins(), installed)
    for problem in problems:
        print(f"not as pinned: {problem}", file=sys.stderr)
    if problems:
        print(
            f"this environment ({sys.prefix}) is not the one boiler's pins name: run `make "
            f"install` (it installs {PINS_FILE.name} as constraints), or `make pins` to pin what "
            "is installed",
            file=sys.stderr,
        )
        return 1
    print(f"{len(load_pins())} pinned versions installed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
