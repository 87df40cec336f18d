"""The region's operations log, newest first, a page at a time, read through GetOperations as the API serves it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lsnotify.errors import WireError
from lsnotify.web.console.pages import Console


def routes(console: Console) -> list[Route]:
    async def operations(request: Request) -> Response:
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        token = request.query_params.get("pageToken")
        try:
            listed = await console.call(visit, "GetOperations", {"pageToken": token} if token else {})
        except WireError as exc:
            return console.problem(400, "No such page", exc.message)
        return await console.page(
            visit, "operations.html", operations=listed["operations"], next_token=listed.get("nextPageToken")
        )

    return [Route("/console/{region}/operations", operations, methods=["GET"])]
