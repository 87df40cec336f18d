"""The web console at ``GET /``: sign-in, notification contacts, resources with metric graphs, alarms, banners and
the operations log, as server-rendered pages that work without JavaScript.

``routes.py`` assembles the routes; ``pages.py`` holds what every page shares (the session check, the banners, the
security headers, calling a service handler); ``contacts.py``, ``resources.py``, ``alarms.py`` and ``operations.py``
hold the pages of each section; ``sessions.py`` the signed session cookie and its CSRF token; ``limiter.py`` the
sign-in rate limit; ``forms.py`` turns form fields into a handler's parameters and its refusals into field errors;
``charts.py`` draws the metric graphs as SVG. Every change goes through the same service handlers as the API.
"""
