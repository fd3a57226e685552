"""What browser tests share: a page that records requests and errors, frames, axe-core."""

from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page

from tests.helpers import ROOT, image_bytes

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


class Watched:
    """A page with every request and console error recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def foreign_requests(self, origin: str) -> list[str]:
        """Requests to any host but the console's own."""
        origin = origin.rstrip("/") + "/"
        return [url for url in self.requests if not url.startswith(origin)]


def wait_for_video(page: Page, prop: str, at_least: float, timeout_s: float = 15) -> None:
    """Poll a property of the card's video from outside the page (the CSP forbids eval)."""
    video = page.locator("#task-card video")
    for _ in range(int(timeout_s * 10)):
        if video.evaluate(f"v => v.{prop}") >= at_least:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"video.{prop} stayed below {at_least}")


def frame_file(tmp_path: Path, name: str = "first.png", color=(30, 120, 200)) -> Path:
    path = tmp_path / name
    path.write_bytes(image_bytes((1280, 768), color))
    return path


def give_first_frame(page: Page, tmp_path: Path) -> None:
    """Upload a frame into the first slot as a person would, and wait for its thumbnail."""
    page.set_input_files(".file-input[data-position=first]", str(frame_file(tmp_path)))
    page.wait_for_selector("#slot-first img.thumb")


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run the vendored axe-core in the page (through the DevTools protocol, which the page's
    CSP does not govern) and describe each violation of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:6])
        for v in result
        if v["impact"] in impacts
    ]
