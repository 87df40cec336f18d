"""lsnotify's own service model (``lsnotify-2026-11-27.json``): the ``LsNotify_20261127`` target prefix.

The file is a botocore-format service model shipped in this package, so the same validator and serializer that serve
Lightsail serve it, and a user can load it into botocore for a client of their own: copy it to
``<dir>/lsnotify/2026-11-27/service-2.json`` and add ``<dir>`` to botocore's data path (``AWS_DATA_PATH``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from botocore.model import ServiceModel

SERVICE_NAME = "lsnotify"
MODEL_FILE = "lsnotify-2026-11-27.json"
API_VERSION = "2026-11-27"


def model_text() -> str:
    """The model file's JSON text."""
    return (resources.files("lsnotify.awsjson") / MODEL_FILE).read_text("utf-8")


@cache
def lsnotify_model() -> ServiceModel:
    return ServiceModel(json.loads(model_text()), service_name=SERVICE_NAME)
