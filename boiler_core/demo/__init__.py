"""``boiler demo``: the meeting-room reference scenario, live, as a front end sees it.

:mod:`.story` holds the steps and how to describe a view; :mod:`.listener` the ``on_snapshot``
subscription with arrival times. The command itself is :mod:`boiler_core.cli.demo`.
"""
