"""``python -m boiler_core``: the ``boiler`` command line (``boiler deploy`` backfills so)."""

from boiler_core.cli import main

main()
