"""botocore's Lightsail service model, loaded once, and the facts lsnotify reads off it.

The model is patched as data on loading: ``lightsail-patches.json`` adds limits Lightsail enforces that the model
leaves out (the longest resource name, tag key and tag value), each with where it comes from.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import botocore.loaders
from botocore.model import ServiceModel

SERVICE_NAME = "lightsail"
PATCHES_FILE = "lightsail-patches.json"


@cache
def lightsail_model() -> ServiceModel:
    """The pinned botocore's ``lightsail`` model, patched: the only source of shapes, enums and constraints."""
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model(SERVICE_NAME, "service-2")
    patches = json.loads((resources.files("lsnotify.awsjson") / PATCHES_FILE).read_text("utf-8"))
    return ServiceModel(patched(model, patches), service_name=SERVICE_NAME)


def patched(model: dict[str, Any], patches: dict[str, Any]) -> dict[str, Any]:
    """``model`` with each patched shape's members set; a patch naming a shape the model lacks is an error."""
    shapes = dict(model["shapes"])
    for name, patch in patches["shapes"].items():
        shapes[name] = {**shapes[name], **patch["set"]}
    return {**model, "shapes": shapes}


@cache
def target_prefix() -> str:
    """``Lightsail_20161128``: what comes before the dot in ``X-Amz-Target``."""
    return str(lightsail_model().metadata["targetPrefix"])


@cache
def lightsail_regions() -> frozenset[str]:
    """The regions of the model's ``RegionName`` enum: the only regions a credential scope may name."""
    return frozenset(lightsail_model().shape_for("RegionName").enum)


@cache
def operation_names() -> frozenset[str]:
    return frozenset(lightsail_model().operation_names)
