"""The portal in a real browser (Debian's chromium, driven by playwright) against `gdprkit serve`
on loopback: a person follows their request by the mailed link and by the form, answers the
question it waits on and withdraws it; a one-click unsubscribe (RFC 8058) changes the decision;
every page in French and English passes axe-core with no violation, and its screenshot is written
to docs/portal/.

Run by scripts/test-all.sh: GDPRKIT_BIN names the `gdprkit` binary the Rust tests built.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any, Callable, Dict, Iterator, List

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "docs" / "portal"
CHROMIUM = os.environ.get("GDPRKIT_CHROMIUM", "/usr/bin/chromium")
KEY = "a key of thirty-two bytes or more, for the browser tests"


class Portal:
    """`gdprkit serve` on a fresh database, and the command line on the same database."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.binary = os.environ["GDPRKIT_BIN"]
        self.db = directory / "gdprkit.db"
        self.env = dict(os.environ, GDPRKIT_HMAC_KEY=KEY)
        self.env.pop("GDPRKIT_DB", None)
        self.tokens: List[str] = []
        self.cli("purpose", "add", "newsletter", "--legal-basis", "legitimate-interests", "--direct-marketing")
        self.cli("subject", "add", "jeanne", "--regime", "b2c-opt-in", "--email", "jeanne@example.org")
        self.cli("subject", "add", "acme-buyer", "--regime", "b2b-opt-out", "--email", "buyer@acme.example")
        self.server = subprocess.Popen(
            [self.binary, "--db", str(self.db), "serve", "--listen", "127.0.0.1:0", "--name", "Acme",
             "--insecure-cookies"],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.server.stdout is not None
        line = self.server.stdout.readline()
        assert line.startswith("gdprkit portal listening on "), line
        self.url = line.strip().rsplit(" ", 1)[1]

    def cli(self, *args: str) -> Any:
        out = subprocess.run([self.binary, "--db", str(self.db), "--json", *args], env=self.env,
                             capture_output=True, text=True)
        assert out.returncode in (0, 1), out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else None

    def open_request(self, kind: str) -> Dict[str, Any]:
        opened: Dict[str, Any] = self.cli("request", "open", "--subject", "jeanne", "--kind", kind, "--via", "email")
        self.tokens.append(opened["token"])
        return opened

    def stop(self) -> str:
        self.server.terminate()
        _, log = self.server.communicate(timeout=30)
        assert self.server.returncode == 0, log
        return log


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    p = Portal(tmp_path_factory.mktemp("portal"))
    yield p
    log = p.stop()
    assert len(log.splitlines()) >= 20, "one line per request"
    for token in p.tokens:
        assert token not in log, "a tracking token in the portal's log"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_mailed_link_opens_the_request_and_the_person_withdraws_it(portal: Portal, page: Page) -> None:
    # R8: the token moves from the link into a SameSite=Strict cookie; R1: the person withdraws.
    opened = portal.open_request("erasure")
    page.goto(f"{portal.url}/r/{opened['token']}?lang=en")
    expect(page).to_have_url(f"{portal.url}/request?lang=en")
    expect(page.get_by_role("heading", name="Your request")).to_be_visible()
    expect(page.locator(".state")).to_have_text("Received")
    assert opened["token"] not in page.content()
    page.get_by_role("button", name="Withdraw my request").click()
    expect(page.locator(".state")).to_have_text("Withdrawn")
    assert portal.cli("request", "show", opened["id"])["state"] == "withdrawn"


def test_a_typed_token_opens_the_request_and_the_person_answers_the_question(portal: Portal, page: Page) -> None:
    # R4: staff ask for a clarification; the person's answer resumes the request.
    opened = portal.open_request("access")
    rid = opened["id"]
    portal.cli("request", "await-subject", rid, "--kind", "clarification", "--reason", "Quel compte ?", "--by", "Marie")
    page.goto(f"{portal.url}/follow?lang=fr")
    page.get_by_label("Référence de suivi").fill(opened["token"])
    page.get_by_role("button", name="Voir ma demande").click()
    expect(page.locator(".state")).to_have_text("En attente de votre réponse")
    expect(page.locator(".question")).to_have_text("Quel compte ?")
    page.get_by_label("Votre réponse à notre question").fill("Celui qui finit par 42.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.locator(".state")).to_have_text("Reçue")
    expect(page.locator(".notes")).to_contain_text("Celui qui finit par 42.")
    assert portal.cli("request", "show", rid)["state"] == "received"


def test_a_wrong_token_gets_the_one_answer(portal: Portal, page: Page) -> None:
    page.goto(f"{portal.url}/follow?lang=en")
    page.get_by_label("Tracking reference").fill("0" * 40)
    page.get_by_role("button", name="See my request").click()
    expect(page.get_by_role("alert")).to_have_text("No request matches this reference, or it is no longer valid.")


def test_one_click_unsubscribe_changes_the_decision(portal: Portal, page: Page) -> None:
    # C6 and RFC 8058: the mail provider posts from its own servers, with no browser around.
    check = ["consent", "check", "--subject", "acme-buyer", "--purpose", "newsletter", "--channel", "email"]
    assert portal.cli(*check)["allowed"] is True
    ref = portal.cli("consent", "unsubscribe-token", "--subject", "acme-buyer", "--purpose", "newsletter",
                     "--channel", "email")["token"]
    answer = page.request.post(f"{portal.url}/u/{ref}", data="List-Unsubscribe=One-Click",
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status == 200 and answer.body() == b""
    assert portal.cli(*check)["allowed"] is False


PAGES: List[tuple[str, Callable[[Portal], str]]] = [
    ("home", lambda p: "/"),
    ("follow", lambda p: "/follow"),
    ("request", lambda p: f"/r/{p.open_request('access')['token']}"),
    ("unsubscribe", lambda p: "/u/" + str(_ref(p))),
    ("not-found", lambda p: "/nowhere"),
]


def _ref(p: Portal) -> str:
    return str(p.cli("consent", "unsubscribe-token", "--subject", "jeanne")["token"])


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_every_page_passes_axe_and_is_pictured(
    portal: Portal, browser: Browser, name: str, path: Callable[[Portal], str], lang: str
) -> None:
    # axe-core is injected as a script, which the portal's CSP forbids: this context bypasses it.
    context = browser.new_context(bypass_csp=True, viewport={"width": 800, "height": 700})
    page = context.new_page()
    page.goto(f"{portal.url}{path(portal)}?lang={lang}")
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id + ': ' + v.help)")
    assert result == [], f"{name} ({lang}): {result}"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{lang}.png"), full_page=True)
    context.close()
