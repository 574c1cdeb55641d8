"""``python -m portal.launcher run app.py …``: Streamlit's own command line, with its metrics closed.

Streamlit serves ``/_stcore/metrics`` (sessions, caches, memory) to anyone, without authentication,
and offers no option to turn it off. In production ``vigie run`` starts Streamlit through this
launcher, which replaces the metrics routes by a route answering 404 before the server is built;
everything else is Streamlit's unchanged command line (``streamlit.web.cli.main``).
"""

from __future__ import annotations

import sys
from typing import Any


def closed_metrics_routes(runtime: Any, base_url: str | None) -> list[Any]:
    """In place of Streamlit's metrics routes: the same path, answering 404 to every method."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from streamlit.web.server.starlette import starlette_routes as routes

    async def _closed(request: Any) -> Any:
        return PlainTextResponse("Not found", status_code=404)

    return [Route(routes._with_base(routes.ROUTE_METRICS, base_url), _closed,
                  methods=["GET", "HEAD", "OPTIONS", "POST"])]


def close_metrics() -> None:
    """Patch Streamlit so the server it builds has no metrics endpoint."""
    from streamlit.web.server.starlette import starlette_app, starlette_routes

    starlette_routes.create_metrics_routes = closed_metrics_routes
    starlette_app.create_metrics_routes = closed_metrics_routes  # imported by name there


def main(argv: list[str] | None = None) -> None:
    close_metrics()
    from streamlit.web import cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
