"""``make bench``: boiler's benchmarks on the Firestore emulator with trigger delivery in the loop.

Run as ``python -m bench.run`` from the project root (the Makefile does). Each module measures one
thing and returns plain data; :mod:`bench.report` prints the tables and writes
``docs/internals/performance.md`` and ``docs/internals/performance.png``. Nothing here is imported
by boiler_core or its tests.
"""
