"""The one Jinja environment over ``templates/``: HTML templates are autoescaped, text templates are not, and an
undefined name is an error rather than an empty string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("lsnotify.messages", "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    auto_reload=False,  # the templates ship with the package; no stat() per message
)


def render(template: str, values: Mapping[str, Any]) -> str:
    """``template`` (a file name in ``templates/``) filled with ``values``."""
    return _environment.get_template(template).render(values)
