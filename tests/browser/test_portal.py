"""The portal in a real browser (Debian's chromium, driven by playwright) against `gdprkit serve`
on loopback, mailing through an SMTP server on loopback: a person submits a request and confirms
it from the link mailed, staff carry it out from the command line and the person sees it
completed; a person downloads the copy of their access request, which pdftotext reads back; a
person follows their request by the mailed link and by the form, answers the question it waits
on and withdraws it; a one-click unsubscribe (RFC 8058) changes the decision, and an agreement
on the choices page is recorded with its proof; every page in French and English passes axe-core
with no violation, and its screenshot is written to docs/portal/.

Run by scripts/test-all.sh: GDPRKIT_BIN names the `gdprkit` binary the Rust tests built.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import pathlib
import sqlite3
import subprocess
import threading
from typing import Any, Callable, Dict, Iterator, List

from aiosmtpd.smtp import SMTP

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "docs" / "portal"
CHROMIUM = os.environ.get("GDPRKIT_CHROMIUM", "/usr/bin/chromium")
KEY = "a key of thirty-two bytes or more, for the browser tests"
# Where mailed links lead; the tests follow their paths on the portal's own address.
ORIGIN = "http://portal.test"
MAP = """
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "subject"
category = "identity"
on_erasure = "delete"
[entity.fields]
first_name = { op = "null", kind = "identifier" }
email = { op = "null", kind = "identifier" }

[[processing]]
purpose = "newsletter"
categories = ["identity"]
retention = "until you unsubscribe"
"""


class Mailbox:
    """An SMTP server on loopback that keeps the plain-text body of every message, by address. It
    binds a port the system picks, once, so that no other test can take it meanwhile."""

    def __init__(self) -> None:
        self.messages: List[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: SMTP(self, loop=self.loop), "127.0.0.1", 0))
        port = self.server.sockets[0].getsockname()[1]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.url = f"smtp://127.0.0.1:{port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        with self.lock:
            for to in envelope.rcpt_tos:
                self.messages.append((to, text))
        return "250 OK"

    def last_to(self, address: str) -> str:
        with self.lock:
            found = [text for to, text in self.messages if to == address]
        assert found, f"no message to {address}: {self.messages}"
        return found[-1]

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.server.close()


class Portal:
    """`gdprkit serve` on a fresh database, and the command line on the same database."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.binary = os.environ["GDPRKIT_BIN"]
        self.db = directory / "gdprkit.db"
        # The command line signs and links its notices as the portal does.
        self.env = dict(os.environ, GDPRKIT_HMAC_KEY=KEY, GDPRKIT_CONTROLLER="Acme", GDPRKIT_PORTAL=ORIGIN)
        self.env.pop("GDPRKIT_DB", None)
        self.tokens: List[str] = []
        self.cli("purpose", "add", "newsletter", "--legal-basis", "legitimate-interests", "--direct-marketing")
        self.cli("subject", "add", "jeanne", "--regime", "b2c-opt-in", "--email", "jeanne@example.org")
        self.cli("subject", "add", "acme-buyer", "--regime", "b2b-opt-out", "--email", "buyer@acme.example")
        self.cli("subject", "add", "paul", "--regime", "b2c-opt-in", "--email", "paul@example.org")
        # The CRM's own table, in the same file, which exports read and erasures change.
        with sqlite3.connect(self.db) as crm:
            crm.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, first_name TEXT, "
                        "email TEXT)")
            crm.execute("INSERT INTO contacts (subject, first_name, email) VALUES "
                        "('jeanne', 'Jeanne', 'jeanne@example.org'), ('paul', 'Paul', 'paul@example.org')")
        self.map = directory / "map.toml"
        self.map.write_text(MAP)
        self.mailbox = Mailbox()
        self.env["GDPRKIT_SMTP_FROM"] = "dpo@acme.example"
        self.server = subprocess.Popen(
            [self.binary, "--db", str(self.db), "serve", "--listen", "127.0.0.1:0", "--name", "Acme",
             "--insecure-cookies", "--public-origin", ORIGIN, "--map", str(self.map),
             "--smtp", self.mailbox.url, "--lookup-limit", "1000"],
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

    def mailed_path(self, address: str, prefix: str) -> str:
        """The path of the link starting with `prefix` in the last message to `address`."""
        words = self.mailbox.last_to(address).split()
        link = next(w for w in words if w.startswith(ORIGIN + prefix))
        return link[len(ORIGIN):]

    def stop(self) -> str:
        self.server.terminate()
        _, log = self.server.communicate(timeout=30)
        self.mailbox.stop()
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


def test_a_person_submits_a_request_confirms_it_and_sees_it_completed(portal: Portal, page: Page) -> None:
    # R1: received when the person confirms the address, from the link mailed to it.
    page.goto(f"{portal.url}/submit?lang=en")
    page.get_by_label("Erasure").check()
    page.get_by_label("Your e-mail address").fill("Paul@Example.org")
    page.get_by_label("Your message (optional)").fill("Please erase everything about me.")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Check your mailbox")).to_be_visible()
    assert all(r["subject"] != "paul" for r in portal.cli("request", "list")), "not received before confirmation"

    page.goto(portal.url + portal.mailed_path("paul@example.org", "/c/") + "?lang=en")
    expect(page.get_by_role("heading", name="Confirm your request")).to_be_visible()
    page.get_by_role("button", name="I confirm my request").click()
    expect(page).to_have_url(f"{portal.url}/request?lang=en")
    expect(page.locator(".state")).to_have_text("Received")
    receipt = portal.mailbox.last_to("paul@example.org")
    assert "tracking code" in receipt and f"{ORIGIN}/r/" in receipt, receipt

    # Staff carry it out from the command line: the CRM's row goes, and the request completes.
    rid = next(r["id"] for r in portal.cli("request", "list") if r["subject"] == "paul")
    assert portal.cli("request", "message", rid) == "Please erase everything about me."
    portal.cli("request", "accept", rid, "--by", "Marie")
    done = portal.cli("request", "execute", rid, "--map", str(portal.map), "--by", "Marie")
    assert done["outcome"]["request"]["state"] == "completed", done
    page.reload()
    expect(page.locator(".state")).to_have_text("Completed")


def test_an_access_request_ends_with_the_person_downloading_the_pdf(
    portal: Portal, page: Page, tmp_path: pathlib.Path
) -> None:
    # E3: the copy offered on the portal is delivered by the person's download.
    opened = portal.open_request("access")
    rid = opened["id"]
    portal.cli("request", "accept", rid, "--by", "Marie")
    portal.cli("request", "start", rid, "--by", "Marie")
    portal.cli("request", "offer-download", rid, "--by", "Marie")
    # The command line queues the notice; the outbox's delivery sends it.
    portal.cli("outbox", "deliver", "--smtp", portal.mailbox.url)
    assert f"{ORIGIN}/follow" in portal.mailbox.last_to("jeanne@example.org")
    page.goto(f"{portal.url}/r/{opened['token']}?lang=en")
    expect(page.get_by_role("heading", name="The copy of your data")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the copy (PDF, to read and print)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("personal-data-") and saved.suffix == ".pdf"
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert "Jeanne" in text and "jeanne@example.org" in text, text
    assert portal.cli("request", "show", rid)["state"] == "completed"
    assert portal.cli("request", "show", rid)["delivered"]["by"] == "download"


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


def test_an_agreement_on_the_choices_page_is_recorded_with_its_proof(portal: Portal, page: Page) -> None:
    # C3 (Art. 7(1)): the wording shown, its SHA-256, the web form, the client.
    check = ["consent", "check", "--subject", "jeanne", "--purpose", "newsletter", "--channel", "sms"]
    assert portal.cli(*check)["allowed"] is False
    page.goto(f"{portal.url}/u/{_ref(portal)}?lang=en")
    page.get_by_role("link", name="Manage all my contact choices").click()
    expect(page.get_by_role("heading", name="Your contact choices")).to_be_visible()
    sms = page.locator("li", has_text="Text message")
    wording = sms.locator(".wording").inner_text()
    assert wording.startswith("I agree that Acme contacts me by text message"), wording
    sms.get_by_role("button", name="I agree").click()
    expect(page.locator("li", has_text="Text message")).to_contain_text("We may contact you")
    assert portal.cli(*check)["allowed"] is True
    event = portal.cli("consent", "history", "--subject", "jeanne")[-1]
    assert event["proof"]["source"] == "web_form" and event["proof"]["collected_by"] == {"by": "subject"}, event
    assert event["proof"]["notice_version"] == "gdprkit-preferences-1/en"
    assert event["proof"]["ip"] == "127.0.0.1" and "Chrome" in event["proof"]["user_agent"]


PAGES: List[tuple[str, Callable[[Portal], str]]] = [
    ("home", lambda p: "/"),
    ("submit", lambda p: "/submit"),
    ("follow", lambda p: "/follow"),
    ("request", lambda p: f"/r/{p.open_request('access')['token']}"),
    ("unsubscribe", lambda p: "/u/" + str(_ref(p))),
    ("choices", lambda p: "/u/" + str(_ref(p)) + "/choices"),
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
    response = page.goto(f"{portal.url}{path(portal)}?lang={lang}")
    assert response is not None and response.status == (404 if name == "not-found" else 200), name
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id + ': ' + v.help)")
    assert result == [], f"{name} ({lang}): {result}"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{lang}.png"), full_page=True)
    context.close()
