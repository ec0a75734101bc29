"""The API's documentation page: Swagger UI from the ``flask-swagger-ui`` package, no CDN.

``GET /docs`` answers a small HTML page; its script and styles are served from the package's
``dist`` folder under ``/docs/assets/``, and it loads ``openapi.json`` from beside itself. Every
URL in the page is relative, so the page works wherever the API is mounted (the function's URL,
a Hosting rewrite, ``boiler dev``). A strict Content-Security-Policy allows only same-origin
scripts, which is why the start-up script is an asset of its own rather than inline.
"""

from __future__ import annotations

from importlib import resources

from flask import Response

from boiler_core.http.problems import ApiError

ASSETS_PACKAGE = "flask_swagger_ui"
"""The package whose ``dist`` folder holds Swagger UI's built files."""

PACKAGE_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
START_SCRIPT = "boiler-docs.js"

_START = """\
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script src="docs/assets/{start}"></script>
</body>
</html>
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def docs_page(title: str) -> Response:
    """The HTML page."""
    html = _PAGE.format(title=title, start=START_SCRIPT)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-cache"
    return response


def docs_asset(name: str) -> Response:
    """One asset of the page; 404 for any other name."""
    if name == START_SCRIPT:
        body = _START.encode("utf-8")
        mimetype = "text/javascript; charset=utf-8"
    elif name in PACKAGE_ASSETS:
        body = (resources.files(ASSETS_PACKAGE) / "dist" / name).read_bytes()
        mimetype = PACKAGE_ASSETS[name]
    else:
        raise ApiError(404, f"no documentation asset '{name}'")
    response = Response(body, content_type=mimetype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
