"""Watching an Instance through its node_exporter: setting, changing and removing its scrape target, with the errors a
user sees (a URL that is not http(s), a resource that does not exist or is not an Instance)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE
from lsnotify.domain.scrape import ScrapeTarget
from lsnotify.errors import InvalidInputException, NotFoundException, shown
from lsnotify.storage.base import RecordNotFound, ResourceTypeMismatch, Store

MAX_URL_LENGTH = 2048


def check_scrape_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host, e.g. ``http://10.0.0.5:9100/metrics``."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number, a malformed IPv6 address
        valid = False
    if not valid or len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise InvalidInputException(
            f"scrapeUrl: {shown(url)} is not an http:// or https:// URL of a node_exporter, e.g. "
            "http://10.0.0.5:9100/metrics."
        )
    return url


def check_scrapable(resource_type: str, name: str) -> None:
    """Only an Instance has a node_exporter to scrape."""
    if resource_type != INSTANCE:
        raise InvalidInputException(
            f"resourceName: {shown(name)} is a {resource_type}; only an {INSTANCE} can be scraped."
        )


def _not_found(scope: Scope, name: str, what: str) -> NotFoundException:
    return NotFoundException(
        f"resourceName: no {what} named {shown(name)} in {scope.region} of account {scope.account_id}."
    )


async def set_scrape_target(store: Store, scope: Scope, name: str, url: str, now: float) -> ScrapeTarget:
    """Scrape the Instance ``name`` at ``url`` from now on (a new URL starts a new series)."""
    check_scrape_url(url)
    try:
        return await store.set_scrape_target(scope, name, url, now)
    except RecordNotFound:
        raise _not_found(scope, name, "monitored resource") from None
    except ResourceTypeMismatch as exc:
        check_scrapable(exc.existing.resource_type, name)
        raise


async def remove_scrape_target(store: Store, scope: Scope, name: str) -> None:
    try:
        await store.delete_scrape_target(scope, name)
    except RecordNotFound:
        raise _not_found(scope, name, "scrape target for a resource") from None


def target_to_json(target: ScrapeTarget) -> dict[str, Any]:
    return {
        "url": target.url,
        "lastSuccessfulScrapeAt": None if target.counters is None else target.counters.at,
    }
