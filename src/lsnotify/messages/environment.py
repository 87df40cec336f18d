"""The one Jinja environment over ``templates/``, and the policy every lsnotify template is rendered under.

HTML templates are autoescaped and text templates are not; an undefined name is an error rather than an empty string;
templates ship with the package, so they are never re-read. The web pages (``web/templates``) belong to the web layer
and keep their own folder, but ``web/templating.py`` builds their environment with ``template_environment`` so both
render under the same rules; the console's environment (``web/console/pages.py``) also reads ``web/templates``, whose
page skeleton its layout extends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2


def template_environment(package: str, *shared: str) -> jinja2.Environment:
    """An environment over the ``templates`` folder of ``package``, then over those of ``shared``: packages whose
    templates these extend or import, looked up after ``package``'s own."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader(name, "templates") for name in (package, *shared)]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # no stat() per render
    )


_environment = template_environment("lsnotify.messages")


def render(template: str, values: Mapping[str, Any]) -> str:
    """``template`` (a file name in ``templates/``) filled with ``values``."""
    return _environment.get_template(template).render(values)
