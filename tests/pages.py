"""Following pages as a browser without JavaScript would: read links and forms from HTML, submit forms."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    html: str
    links: list[str] = field(default_factory=list)
    forms: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """(method, absolute action URL, the submit buttons' labels)."""

    def text(self) -> str:
        """The visible text, whitespace collapsed (no tags, no style)."""
        body = re.sub(r"<style.*?</style>", " ", self.html, flags=re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", body).split())

    def submit(self, index: int = 0) -> Page:
        """Submit the ``index``-th form (no fields) the way its method and action say."""
        method, action, _ = self.forms[index]
        return fetch(action, method=method.upper())


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str, list[str]]] = []
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        elif tag == "form":
            self.forms.append((values.get("method") or "get", values.get("action") or "", []))
        elif tag == "button" and self.forms:
            self._in_button = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._in_button and data.strip():
            self.forms[-1][2].append(data.strip())


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Page:
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, header_items, body = response.status, response.headers.items(), response.read()
    except urllib.error.HTTPError as error:
        status, header_items, body = error.code, error.headers.items(), error.read()
    html = body.decode("utf-8")
    parser = _Parser()
    parser.feed(html)
    return Page(
        url=url,
        status=status,
        headers={k.lower(): v for k, v in header_items},
        html=html,
        links=[urljoin(url, link) for link in parser.links],
        forms=[(method_, urljoin(url, action or url), labels) for method_, action, labels in parser.forms],
    )


def verify_link(text: str) -> str:
    """The one confirmation link in an email's text."""
    links = re.findall(r"https?://\S+/verify/[A-Za-z0-9_-]+", text)
    assert len(set(links)) == 1, f"expected one verification link in: {text!r}"
    return links[0]


def confirm(link: str) -> Page:
    """Open ``link`` (GET: a confirm page, nothing verified yet) and press its Confirm button (the form's POST)."""
    page = fetch(link)
    assert page.status == 200, page.text()
    assert len(page.forms) == 1 and page.forms[0][2] == ["Confirm"], page.forms
    return page.submit()
