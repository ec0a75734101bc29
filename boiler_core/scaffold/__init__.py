"""``boiler init``: a new app from the starter templates, or boiler added to a Firebase project.

:mod:`.starter` renders the starter app; :mod:`.firebase_json` adds boiler's codebase to a
project's firebase.json; :mod:`.plan` decides, file by file, what init creates, merges, keeps or
refuses. Only the CLI writes.
"""
