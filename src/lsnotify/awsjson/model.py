"""botocore's Lightsail service model, loaded once, and the facts lsnotify reads off it.

Models are patched as data on loading: ``lightsail-patches.json`` adds limits Lightsail enforces that the model
leaves out (the longest resource name, tag key and tag value), ``cloudwatch-patches.json`` those of PutMetricData,
each with where it comes from.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import botocore.loaders
from botocore.model import ServiceModel

SERVICE_NAME = "lightsail"
PATCHES = {SERVICE_NAME: "lightsail-patches.json", "cloudwatch": "cloudwatch-patches.json"}
"""Limits a service enforces that its botocore model leaves out, as data: shape name -> members to set."""


@cache
def botocore_model(service_name: str) -> ServiceModel:
    """The pinned botocore's model of ``service_name``, loaded once, with its patches (``PATCHES``) applied."""
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model(service_name, "service-2")
    if service_name in PATCHES:
        patches = json.loads((resources.files("lsnotify.awsjson") / PATCHES[service_name]).read_text("utf-8"))
        model = patched(model, patches)
    return ServiceModel(model, service_name=service_name)


def lightsail_model() -> ServiceModel:
    """The pinned botocore's ``lightsail`` model, patched: the only source of shapes, enums and constraints."""
    return botocore_model(SERVICE_NAME)


def patched(model: dict[str, Any], patches: dict[str, Any]) -> dict[str, Any]:
    """``model`` with each patched shape's members set; a patch naming a shape the model lacks is an error."""
    shapes = dict(model["shapes"])
    for name, patch in patches["shapes"].items():
        shapes[name] = {**shapes[name], **patch["set"]}
    return {**model, "shapes": shapes}


@cache
def lightsail_regions() -> frozenset[str]:
    """The regions of the model's ``RegionName`` enum: the only regions a credential scope may name."""
    return frozenset(lightsail_model().shape_for("RegionName").enum)


@cache
def operation_names() -> frozenset[str]:
    return frozenset(lightsail_model().operation_names)
