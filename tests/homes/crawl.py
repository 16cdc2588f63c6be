"""Follow a role's links from its home, as a person clicking would: GET only, bounded per endpoint."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from pbapp.security import ANONYMOUS

# Visiting more URLs of one endpoint finds few new links; a handful keeps a crawl to seconds.
PER_ENDPOINT = 5
MAX_PAGES = 800


class _Links(HTMLParser):
    """Same-site addresses a page sends the browser to: links, stylesheets, scripts, images, GET forms."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.found.append(attrs["src"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get" and attrs.get("action"):
            self.found.append(attrs["action"])


@dataclass
class Crawl:
    reached: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    pages: int = 0


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.found:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        if not parts.path:
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(app, client, start: str, role: str) -> Crawl:
    """Visit pages from `start`, recording each endpoint reached and each link that fails for this role."""
    adapter = app.url_map.bind("localhost")
    result = Crawl()
    visits: Counter[str] = Counter()
    seen: set[str] = set()
    queue: list[tuple[str, str, str]] = []

    def enqueue(url: str, source: str) -> None:
        if url in seen:
            return
        seen.add(url)
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
        except RequestRedirect as redirect:
            enqueue(urlsplit(redirect.new_url).path, source)
            return
        except (NotFound, MethodNotAllowed):
            result.failures.append(f"{url} (linked from {source}): no page answers GET here")
            return
        queue.append((endpoint, url, source))

    enqueue(start, "(start)")
    while queue and result.pages < MAX_PAGES:
        # Pages of endpoints visited least go first, in the order they were found: new kinds of page early.
        index = min(range(len(queue)), key=lambda i: (visits[queue[i][0]], i))
        endpoint, url, source = queue.pop(index)
        if visits[endpoint] >= PER_ENDPOINT:
            continue
        visits[endpoint] += 1
        result.pages += 1
        # The language switch changes the session; try it in a browser of its own.
        visitor = app.test_client() if endpoint == "councils.language" else client
        response = visitor.get(url)
        result.reached.add(endpoint)
        status = response.status_code
        location = response.headers.get("Location", "")
        if status >= 400:
            result.failures.append(f"{url} (linked from {source}) answers {status} for {role}")
        elif 300 <= status < 400:
            if role != ANONYMOUS and "/accounts/login" in location:
                result.failures.append(f"{url} (linked from {source}) sends {role} to sign in")
            elif endpoint != "councils.language":
                target = urlsplit(urljoin(url, location))
                enqueue(target.path + (f"?{target.query}" if target.query else ""), url)
        elif response.mimetype == "text/html":
            for link in links_of(response.get_data(as_text=True), url):
                enqueue(link, url)
        response.close()
    return result
