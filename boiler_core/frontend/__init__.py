"""Serving a front end's static build next to the local runtime (``boiler dev``, ``boiler demo``).

:class:`PageServer` serves a folder of built files on ``127.0.0.1``, the runtime's addresses at
``/config.json`` (:class:`PageConfig`), and each HTTP function of ``main.py`` under ``/NAME/``
(a same-origin proxy, as a Firebase Hosting rewrite would give in production), so a page needs
neither CORS nor to know the runtime's free ports. See docs/frontend.md.
"""

from boiler_core.frontend.config import PageConfig
from boiler_core.frontend.server import PageServer

__all__ = ["PageConfig", "PageServer"]
