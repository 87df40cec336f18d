"""botocore's Lightsail service model, loaded once, and the facts lsnotify reads off it."""

from __future__ import annotations

from functools import cache

import botocore.loaders
from botocore.model import ServiceModel

SERVICE_NAME = "lightsail"


@cache
def botocore_model(service_name: str) -> ServiceModel:
    """The pinned botocore's model of ``service_name``, loaded once."""
    loader = botocore.loaders.create_loader()
    return ServiceModel(loader.load_service_model(service_name, "service-2"), service_name=service_name)


def lightsail_model() -> ServiceModel:
    """The pinned botocore's ``lightsail`` model: the only source of shapes, enums and constraints."""
    return botocore_model(SERVICE_NAME)


@cache
def lightsail_regions() -> frozenset[str]:
    """The regions of the model's ``RegionName`` enum: the only regions a credential scope may name."""
    return frozenset(lightsail_model().shape_for("RegionName").enum)


@cache
def operation_names() -> frozenset[str]:
    return frozenset(lightsail_model().operation_names)
