"""What ``boiler dev`` does between saves: which files it watches (:mod:`.watch`) and how it
checks and regenerates after an edit (:mod:`.rebuild`). The command and its console live in
:mod:`boiler_core.cli.dev` and :mod:`boiler_core.cli.devloop`; reloading the functions is
:meth:`boiler_core.dispatch.LocalRuntime.reload`.
"""
