"""Tests of this app, written by `boiler init`; yours to extend.

They check that views.yaml is valid, that the generated files are current, and that the views
converge: random domain writes drawn from the collections' schemas, their events delivered in
order, late and twice, leave every view document equal to a recompute from the domain (what
`boiler verify` checks). The emulator test runs the generated trigger functions on the Firestore
emulator; it is skipped, with the reason, where the emulator is not installed.
"""

from boiler_core.testing import App

app = App.beside(__file__)


def test_views_yaml_is_valid() -> None:
    app.check()


def test_generated_files_are_current() -> None:
    app.check_generated()


def test_views_converge_in_memory() -> None:
    app.converge_in_memory()


def test_views_converge_on_the_emulator() -> None:
    app.converge_on_emulator()
