"""The HTML pages' templates (``templates/``), the headers every page carries, and the ``linkify`` filter.

``templates/document.html`` is the skeleton of every lsnotify page, the console's included: ``base.html`` (the
verification pages and the dev inbox) and the console's ``layout.html`` extend it.

The environment follows the rules of every lsnotify template (``messages/environment.py``): ``.html`` is autoescaped.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from lsnotify.messages.environment import template_environment
from lsnotify.messages.formats import iso_time

PAGE_HEADERS = {
    "cache-control": "no-store",
    # A verification link carries its token in the path: never leak it through the Referer header.
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")

_env = template_environment("lsnotify.web")


def linkify(text: str) -> Markup:
    """``text`` escaped, with every http(s) URL in it made a link."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


_env.filters["linkify"] = linkify
_env.filters["iso"] = iso_time


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
