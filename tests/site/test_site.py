"""The study site (``make site``), opened in headless Chromium the way a reader opens it.

The site is built once (``mkdocs build --strict``) into a temporary folder and served on a free
loopback port. One browser, one context, one reused page visit every HTML page of it: no console
error, no uncaught exception, no failed or >= 400 request, no request leaving the machine (the
site must work offline), every image loaded, every same-origin link pointing at a page that
exists and, with a ``#fragment``, at an element of that page with that id. A screenshot of each
page (its first screen; ``SITE_SCREENSHOTS=full`` for whole pages) goes to
``cdk.out/site-screenshots/``. The checker is also run over a small broken
site of its own, so it is known to fail.

Needs Debian's Chromium (``apt-get install chromium``; Playwright never downloads a browser
here): without it the module skips, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tools.site import build_site

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCREENSHOTS = ROOT / "cdk.out" / "site-screenshots"
NAV_PAGES = (
    "index.html",
    "network.html",
    "web-tier.html",
    "serverless-api.html",
    "static-site.html",
    "aurora-global.html",
    "queue-worker.html",
    "fan-out.html",
    "streaming-ingestion.html",
    "data-protection.html",
    "what-is-the-time.html",
    "my-clothes.html",
    "my-word-press.html",
    "facts.html",
    "composition.html",
    "deploy-local.html",
)
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = (
    "headless Chromium not found: install it with `sudo apt-get install chromium` (Debian) "
    "to run the site test"
)
# A word of docs/network.md that Material's search must find.
SEARCH_WORD = "bastion"


def chromium_executable() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, relative to it, except 404.html and search assets."""
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if path.name != "404.html" and "search" not in path.relative_to(site).parts[:-1]
    )


# -- serving ---------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """``directory`` over HTTP on 127.0.0.1 and a free port; yields the base URL (with "/")."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the checker ------------------------------------------------------------------------------


class _Ids(HTMLParser):
    """The ids (and ``<a name>``) a static HTML page carries."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


# Every image complete, lazy ones forced to load; then the ones that did not decode.
_BROKEN_IMAGES = """async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map((img) => {
    if (img.complete) return null;
    img.loading = "eager";
    return new Promise((done) => {
      img.addEventListener("load", done, { once: true });
      img.addEventListener("error", done, { once: true });
      setTimeout(done, 5000);
    });
  }));
  return images.filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.getAttribute("src") || img.currentSrc);
}"""
_LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .map((a) => [a.getAttribute("href"), a.href])"""


@dataclass
class Auditor:
    """Visits pages of one served site in one browser page and lists what is wrong on each."""

    page: object  # playwright.sync_api.Page
    base_url: str
    events: list[str] = field(default_factory=list)
    _status: dict[str, int] = field(default_factory=dict)
    _ids: dict[str, set[str]] = field(default_factory=dict)
    # each request's page: one the audit's own navigation to the next page aborts is no fault
    # of the page it was made for (a favicon still loading, say)
    _made_on: dict[object, str] = field(default_factory=dict)
    _current: str = ""

    def __post_init__(self) -> None:
        self.origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(self.base_url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))
        self.page.on("request", lambda request: self._made_on.setdefault(request, self._current))
        self.page.on("requestfinished", lambda request: self._made_on.pop(request, None))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _same_origin(self, url: str) -> bool:
        return url == self.origin or url.startswith(self.origin + "/")

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.events.append(f"console error: {message.text} ({where})")

    def _request_failed(self, request) -> None:
        made_on = self._made_on.pop(request, self._current)
        if made_on != self._current and "ERR_ABORTED" in str(request.failure):
            return  # the previous page's request, cut off by navigating to this one
        self.events.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if self._same_origin(response.url) and response.status >= 400:
            self.events.append(f"HTTP {response.status}: {response.url}")

    def status(self, url: str) -> int:
        if url not in self._status:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    self._status[url] = response.status
                    if "html" in response.headers.get("Content-Type", ""):
                        parser = _Ids()
                        parser.feed(response.read().decode("utf-8", "replace"))
                        self._ids[url] = parser.ids
            except urllib.error.HTTPError as error:
                self._status[url] = error.code
        return self._status[url]

    def ids(self, url: str) -> set[str]:
        self.status(url)
        return self._ids.get(url, set())

    def audit(self, path: str, screenshot: Path | None = None) -> list[str]:
        """What is wrong with the page at ``path`` (relative to the base URL): [] when nothing."""
        self.events = []
        self._current = path
        url = urllib.parse.urljoin(self.base_url, path)
        response = self.page.goto(url, wait_until="load")
        problems: list[str] = []
        if response is None or response.status != 200:
            problems.append(f"page itself: HTTP {response.status if response else 'none'}")
        for src in self.page.evaluate(_BROKEN_IMAGES):
            problems.append(f"image not loaded: {src}")
        for raw, resolved in self.page.evaluate(_LINKS):
            problems += self._check_link(raw, resolved)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            # the first screen of each page by default (0.1 s); SITE_SCREENSHOTS=full for whole
            # pages (about 7 s more for the site: the long pages are tens of screens)
            full = os.environ.get("SITE_SCREENSHOTS") == "full"
            self.page.screenshot(path=str(screenshot), full_page=full, type="jpeg", quality=80)
        return problems + self.events

    def _check_link(self, raw: str, resolved: str) -> list[str]:
        if not self._same_origin(resolved):
            return []
        target, _, fragment = resolved.partition("#")
        status = self.status(target)
        if status != 200:
            return [f"broken link {raw!r}: {target} answers HTTP {status}"]
        fragment = urllib.parse.unquote(fragment)
        if fragment and fragment not in self.ids(target):
            return [f"broken link {raw!r}: no element with id {fragment!r} on {target}"]
        return []


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{page}:\n" + "\n".join(f"  - {problem}" for problem in found)
        for page, found in problems.items()
        if found
    )


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    executable = chromium_executable()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(
                "headless Chromium not found, and CI must run the site test: .ci/run installs "
                "it (`apt-get install chromium`)"
            )
        pytest.skip(NO_CHROMIUM)
    return executable


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    try:
        return build_site(tmp_path_factory.mktemp("site") / "site")
    except subprocess.CalledProcessError as error:
        pytest.fail(f"mkdocs build --strict failed:\n{error.stdout}{error.stderr}")


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def context(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # Nothing leaves the machine: a request to another origin is aborted (and so reported
        # as a failed request), never sent.
        context.route(
            lambda url: not url.startswith(("http://127.0.0.1:", "file:", "data:", "blob:")),
            lambda route: route.abort("blockedbyclient"),
        )
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture(scope="module")
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture(scope="module")
def audited(site: Path, base_url: str, page) -> dict[str, list[str]]:
    """Every page of the site visited once: its problems, and its screenshot taken."""
    if SCREENSHOTS.is_dir():
        for old in [*SCREENSHOTS.glob("*.png"), *SCREENSHOTS.glob("*.jpg")]:
            old.unlink()
    auditor = Auditor(page, base_url)
    return {
        path: auditor.audit(path, screenshot=SCREENSHOTS / (path.replace("/", "_")[:-5] + ".jpg"))
        for path in site_pages(site)
    }


# -- the site ---------------------------------------------------------------------------------


def test_site_has_every_page_of_the_nav(site: Path):
    assert site_pages(site) == sorted(NAV_PAGES), "the built pages are not the nav's (mkdocs.yml)"
    for built in NAV_PAGES:
        links = _nav_pages((site / built).read_text(encoding="utf-8"))
        assert links == list(NAV_PAGES), f"the navigation of {built} lists {links}"


def _nav_pages(html: str) -> list[str]:
    """The pages the navigation sidebar links to, in order, each once."""

    class NavLinks(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.pages: list[str] = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            href = attrs.get("href") or ""
            if tag == "a" and "md-nav__link" in (attrs.get("class") or "").split():
                if href and not href.startswith("#") and href not in self.pages:
                    self.pages.append(href)

    parser = NavLinks()
    parser.feed(html)
    return parser.pages


@pytest.mark.parametrize("page_name", NAV_PAGES)
def test_page_has_no_broken_link_image_or_error(audited: dict[str, list[str]], page_name: str):
    assert page_name in audited, f"{page_name} was not built"
    problems = {page_name: audited[page_name]}
    assert not audited[page_name], f"problems on the page:\n{report(problems)}"


def test_every_built_page_was_audited_and_clean(site: Path, audited: dict[str, list[str]]):
    assert sorted(audited) == site_pages(site)
    assert not any(audited.values()), report(audited)


def test_a_screenshot_of_every_page(audited: dict[str, list[str]]):
    shots = sorted(SCREENSHOTS.glob("*.jpg"))
    assert len(shots) == len(audited), f"{len(shots)} screenshots for {len(audited)} pages"
    for shot in shots:
        data = shot.read_bytes()
        assert data.startswith(b"\xff\xd8\xff") and len(data) > 10_000, f"{shot} is empty"


def test_pages_are_styled_by_material(page, base_url: str, audited):
    # Material's stylesheet loaded: the header is coloured and laid out, not a bare list.
    page.goto(urllib.parse.urljoin(base_url, "network.html"), wait_until="load")
    header = page.locator(".md-header")
    assert header.evaluate("el => getComputedStyle(el).position") == "sticky"
    assert page.locator("h1").first.inner_text().startswith("Three-tier VPC")


def _search(page, url: str, word: str) -> list[str]:
    """Material's search on the page at ``url``, as a reader uses it: "/" then the word typed.

    The pages the results link to; Material's search runs in a Web Worker over the built index.
    """
    page.goto(url, wait_until="load")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type(word)
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=10_000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all(
        "links => links.map((a) => a.href)"
    )
    return [urllib.parse.urlsplit(href).path.rsplit("/", 1)[-1] for href in hrefs]


def test_search_finds_a_word_of_a_page(page, base_url: str):
    assert SEARCH_WORD in (DOCS / "network.md").read_text(encoding="utf-8").lower()
    hrefs = _search(page, urllib.parse.urljoin(base_url, "index.html"), SEARCH_WORD)
    assert "network.html" in hrefs, hrefs


def test_site_works_opened_from_a_file(context, site: Path):
    # The offline plugin and the vendored iframe-worker shim: no server, search still works,
    # and nothing is fetched from anywhere (a CDN request would be aborted and reported).
    page = context.new_page()
    events: list[str] = []
    page.on("console", lambda m: m.type == "error" and events.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: events.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: events.append(f"request failed: {request.url}"))
    try:
        hrefs = _search(page, (site / "index.html").as_uri(), SEARCH_WORD)
        page.locator(".md-search-result__item a").first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith((site / "network.html").as_uri()), page.url
    finally:
        page.close()
    assert "network.html" in hrefs, hrefs
    assert not events, "\n".join(events)


# -- the checker itself -------------------------------------------------------------------------


def test_checker_flags_broken_links_anchors_images_errors_and_external_requests(context, tmp_path):
    (tmp_path / "a.html").write_text(
        "<!doctype html><html><head><title>a</title>"
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        "</head><body>"
        '<h1 id="top">a</h1>'
        '<a href="b.html#present">fine</a> <a href="#top">fine too</a> '
        '<a href="b.html#absent">missing anchor</a> <a href="gone.html">missing page</a> '
        '<img src="missing.png" alt="missing">'
        "<script>console.error('boom')</script>"
        "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text(
        '<!doctype html><html><body><h2 id="present">b</h2><a href="a.html">back</a></body></html>',
        encoding="utf-8",
    )
    page = context.new_page()
    try:
        with serve(tmp_path) as url:
            auditor = Auditor(page, url)
            problems = auditor.audit("a.html")
            clean = auditor.audit("b.html")
    finally:
        page.close()
    text = "\n".join(problems)
    assert "no element with id 'absent'" in text, text
    assert "'gone.html'" in text and "HTTP 404" in text, text
    assert "image not loaded: missing.png" in text, text
    assert "console error: boom" in text, text
    assert "request failed: https://fonts.googleapis.com/" in text, text  # never sent
    assert "present" not in text and "'#top'" not in text, text
    assert clean == [], clean
