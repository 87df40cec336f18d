"""The OTLP/HTTP metrics endpoint, ``POST /v1/metrics``, on the API's port.

Per request: read the body → authenticate (SigV4 over the body as sent, service ``monitoring``, as CloudWatch's own
OTLP endpoint takes it) → decompress (gzip) → decode (protobuf or JSON, by Content-Type) →
``service.alarms.host_metrics.put_otlp_metrics`` → an empty ``ExportMetricsServiceResponse``. Points that feed no
Lightsail metric are accepted, counted in ``/metrics`` and logged once per account and name.
"""

from __future__ import annotations

import logging
import time

from starlette.types import Receive, Scope, Send

from lsnotify.awsjson import otlp
from lsnotify.context import RequestContext
from lsnotify.errors import ServiceException, WireError
from lsnotify.service.alarms.host_metrics import CumulativeDeltas, put_otlp_metrics
from lsnotify.web.body import ClientDisconnected
from lsnotify.web.ingest import IngestEndpoint, IngestSetup, header
from lsnotify.web.signed_requests import ends_connection, respond

log = logging.getLogger("lsnotify.otlp")


class OtlpEndpoint(IngestEndpoint):
    def __init__(self, setup: IngestSetup) -> None:
        super().__init__(setup)
        self._deltas = CumulativeDeltas()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = self.request_ids()
        content_type = header(scope, b"content-type")
        encoding = otlp.JSON if (content_type or "").startswith(otlp.JSON) else otlp.PROTOBUF
        ctx: RequestContext | None = None
        close = False
        try:
            encoding = otlp.encoding_of(content_type)
            body = await self.read_body(scope, receive)
            principal = await self.gate.principal(scope, body)
            export = otlp.parse_export(self.decoded(scope, body), encoding)
            ctx = RequestContext(request_id, principal.account_id, principal.region, "Export", principal.access_key_id)
            report = await put_otlp_metrics(self.setup.deps, ctx, export, self.setup.metric_names, self._deltas)
            self.took_in("otlp", ctx.account_id, report)
            response = otlp.success(encoding)
        except ClientDisconnected:
            return
        except WireError as error:
            close = ends_connection(error)
            response = otlp.error(error, encoding)
        except Exception:
            log.exception("OTLP export %s failed", request_id)
            response = otlp.error(ServiceException(), encoding)
        await respond(send, response, close)
        self.setup.counters.observe_request("otlp-json" if encoding == otlp.JSON else "otlp-protobuf", response.status)
        self.gate.log(request_id, "OTLP.Export", response.status, time.perf_counter() - started, ctx)
