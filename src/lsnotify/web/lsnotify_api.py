"""The ``LsNotify_20261127`` API service: lsnotify's own operations (metric ingestion) on the API's front door.

Same endpoint, same SigV4 keys and region scope as Lightsail calls; shapes come from the model file shipped in the
package (``awsjson/lsnotify-2026-11-27.json``), so validation and serialization work exactly as for Lightsail.
"""

from __future__ import annotations

from lsnotify.awsjson.lsnotify_model import lsnotify_model
from lsnotify.awsjson.serialize import ResponseSerializer
from lsnotify.awsjson.validate import InputValidator
from lsnotify.service.dispatch import LSNOTIFY_OPERATIONS
from lsnotify.web.api import ApiService


def lsnotify_api_service() -> ApiService:
    model = lsnotify_model()
    served = list(LSNOTIFY_OPERATIONS)
    return ApiService(
        prefix=str(model.metadata["targetPrefix"]),
        handlers=LSNOTIFY_OPERATIONS,
        validator=InputValidator(model, served),
        serializer=ResponseSerializer((name, model.operation_model(name).output_shape) for name in served),
        modeled_operations=frozenset(model.operation_names),
    )
