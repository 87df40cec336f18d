"""The HTTP front door: the ASGI app, the API endpoint and the pages."""
