"""``boiler demo``: an app's story played live on the emulator, as a front end sees it.

:mod:`.story` is what a story holds (steps, writes, expectations); :mod:`.story_file` reads and
checks a story file; :mod:`.changes` says what changed in a watched document; :mod:`.writes`
makes the writes and reads through a Firestore client; :mod:`.listener` is the ``on_snapshot``
subscription with arrival times. The command itself is :mod:`boiler_core.cli.demo`.
"""
