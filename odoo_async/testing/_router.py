"""Which route of the test double answers a request.

:meth:`Router.handle` turns ``(HTTP method, path, content type, cookie, body)`` into a
reply ``(status, headers, body)``, or ``None`` for "close the connection without a
reply". Endpoints (Odoo 17's paths, envelopes and status codes):

- ``POST /jsonrpc``: services ``common`` (version, about, login, authenticate),
  ``object`` (execute_kw, execute) and ``db`` (list, server_version, db_exist, list_lang);
  see ``_routes_jsonrpc.py`` and ``_services.py``;
- ``/web/session/authenticate``, ``/web/session/get_session_info``,
  ``/web/session/destroy``, ``/web/webclient/version_info``,
  ``/web/dataset/call_kw[/<model>/<method>]`` (cookie ``session_id``; see
  ``_routes_web.py``);
- ``POST /xmlrpc/2/<service>`` and the legacy ``POST /xmlrpc/<service>`` (see
  ``_routes_xmlrpc.py``);
- as Odoo 19 (``version="19.0"``): ``GET /web/version``, ``GET /json/version`` and,
  unless ``json2=False``, the JSON-2 API (``POST /json/2/<model>/<method>``,
  ``GET /doc-bearer/<model>.json``; see ``_json2.py``);
- ``GET /report/pdf/<report>/<ids>`` and ``GET /web/content/...`` with the web
  session (see ``_routes_http.py``).

Any other path: 404 with Werkzeug's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from . import _routes_http as routes_http
from . import _routes_jsonrpc as routes_jsonrpc
from . import _routes_web as routes_web
from . import _routes_xmlrpc as routes_xmlrpc
from . import _wire
from ._json2 import Json2

if TYPE_CHECKING:
    from ._host import Host
    from ._wire import Reply

__all__ = ["Router"]

_JSON_ROUTES: Final[dict[str, routes_jsonrpc.Route]] = {
    "/jsonrpc": routes_jsonrpc.JSONRPC,
    **routes_web.ROUTES,
}


class Router:
    """The endpoints of one double, which they see through its :class:`~._host.Host`."""

    def __init__(self, host: Host) -> None:
        self._host = host
        self._json2 = Json2(host)

    async def handle(
        self,
        http_method: str,
        path: str,
        content_type: str,
        cookie: str,
        body: bytes,
        *,
        over: bool,
        authorization: str,
        database: str,
    ) -> Reply | None:
        """The reply to a request, or None: close the connection without replying.

        ``over`` says the request is over the concurrency cap; ``authorization`` and
        ``database`` are the headers JSON-2 reads (``X-Odoo-Database`` for the latter).
        """
        host = self._host
        if host.odoo.major >= 19:
            if path in ("/web/version", "/json/version"):
                return self._json2.version(http_method)
            if host.odoo.json2 and (
                path.startswith(("/json/2/", "/doc-bearer/")) or path == "/json/2"
            ):
                return await self._json2.handle(
                    http_method, path, content_type, authorization, database, body, over=over
                )
        route = _JSON_ROUTES.get(path)
        if route is None and path.startswith("/web/dataset/call_kw/"):
            route = routes_web.CALL_KW
        if route is not None:
            return await routes_jsonrpc.handle(host, route, content_type, cookie, body, over)
        if path.startswith("/xmlrpc/"):
            return await routes_xmlrpc.handle(host, http_method, path, body, over)
        if http_method == "GET":
            sid = routes_jsonrpc.session_id(cookie) if cookie else None
            uid = host.sessions.uid(sid) if sid else None
            reply = routes_http.handle(host, http_method, path, uid)
            if reply is not None:
                return reply
        page = _wire.error_page(404, major=host.odoo.major)
        return 404, _wire.html_headers(page), page
