"""The Expert Roster as people live it, over real HTTP in Debian's chromium, on `make run`'s stack.

An official registers in French; the national focal point confirms by the emailed link (a bare
GET and HEAD first, as a mail scanner would, which change nothing); a partner's request is
approved and its Action recorded; the officer ranks the experts for the training activity
(``ops experts match``: each rank explained) and invites one, who declines; the place is freed
(the officer is emailed), the officer invites the next, who accepts; the partner's status page
lists the confirmed expert. axe-core finds no violation on any new page.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.run import LocalSystem, write_env_file
from tests.e2e.helpers import Mailbox, http, link_in, no_violations
from tests.e2e.test_review_flow import about, approve, fill_form, review_round, submit, voters

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
FOCAL = "focal-fr@sgae.example.fr"
HIDDEN_INPUT = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>", re.I)


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def ops(stack: LocalSystem, tmp_path: Path, *args: str) -> str:
    """The operators' command against the local stack (its settings file), as an officer runs it."""
    env_file = tmp_path / "env.json"
    if not env_file.exists():
        write_env_file(stack, env_file)
    result = subprocess.run(
        [sys.executable, "-m", "functions.ops", "--env-file", str(env_file), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def registration(name: str, email: str) -> dict[str, Any]:
    document = json.loads((ROOT / "schemas" / "expert.schema.json").read_text())["examples"][0]
    document.pop("submission_id", None)
    document["expert"].update(name=name, email=email)
    # One entry per repeated group: the form shows one, more behind "Add another" (app.js).
    document["expertise"]["languages"] = [{"language": "fr", "level": "native"}]
    return dict(document)


def unchanged_by_a_scanner(stack: LocalSystem, link: str, probe: str) -> None:
    """A mail scanner's GET and HEAD of ``link`` change neither ``probe`` nor the mail."""

    def state() -> tuple[str, int]:
        _, _, body = http("GET", probe)
        return HIDDEN_INPUT.sub("", body.decode()), len(Mailbox(stack).all())

    before = state()
    assert http("GET", link)[0] == 200
    assert http("HEAD", link)[0] in (200, 405)
    assert state() == before, "a GET changed something"


def register_in_browser(stack: LocalSystem, page: Any, name: str, email: str) -> None:
    page.goto(f"{stack.base_url}/experts?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    no_violations(page, "the roster's form, in French")
    fill_form(page, registration(name, email))
    page.get_by_role("button", name=re.compile("Envoyer l.inscription")).click()
    page.wait_for_load_state()
    assert "Inscription envoyée" in page.content()
    no_violations(page, "the registration's confirmation")


def confirm_by_focal_point(stack: LocalSystem, page: Any, expert: str, nth: int) -> None:
    """The focal point answers its ``nth`` request to confirm (the expert's registration)."""
    [receipt] = Mailbox(stack).wait_for(expert, 1)
    assert receipt["subject"].startswith("Nous avons reçu votre inscription")
    own_page = link_in(receipt, stack.base_url, "/experts/me")
    request = Mailbox(stack).wait_for(FOCAL, nth)[nth - 1]
    link = link_in(request, stack.base_url, "/experts/confirm/")
    unchanged_by_a_scanner(stack, link, own_page)
    page.goto(link)
    no_violations(page, "the focal point's page")
    page.get_by_label(re.compile("Confirmer")).check()
    page.get_by_role("button", name=re.compile("Envoyer la réponse")).click()
    page.wait_for_load_state()
    assert "Réponse enregistrée" in page.content()
    Mailbox(stack).wait_for(expert, 2)  # the answer


def answer_invitation(stack: LocalSystem, page: Any, expert: str, accept: bool) -> None:
    mail = Mailbox(stack).wait_for(expert, 3)[-1]
    assert mail["subject"].startswith("Invitation")
    link = link_in(mail, stack.base_url, "/experts/invitation/")
    own_page = link_in(Mailbox(stack).to(expert)[0], stack.base_url, "/experts/me")
    unchanged_by_a_scanner(stack, link, own_page)
    page.goto(link)
    no_violations(page, "the invitation's page")
    if accept:
        page.get_by_label(re.compile("Accepter")).check()
    else:
        page.get_by_label(re.compile("Décliner l.invitation")).check()
        page.get_by_label(re.compile("Raison du refus")).fill("Mission à la même date")
    page.get_by_role("button", name=re.compile("Envoyer la réponse")).click()
    page.wait_for_load_state()
    assert "Réponse enregistrée" in page.content()
    no_violations(page, "the invitation's answer")


def test_an_expert_is_registered_confirmed_matched_invited_and_shown_to_the_partner(
    local_stack: LocalSystem, page: Any, tmp_path: Path
) -> None:
    stack = local_stack
    ops(stack, tmp_path, "focal", "add", "--member-state", "FR", "--id", "sgae",
        "--name", "Jeanne Focal", "--email", FOCAL, "--language", "fr")  # fmt: skip
    tag = uuid.uuid4().hex[:6]
    first, second = f"claire-{tag}@interieur.example.fr", f"marc-{tag}@interieur.example.fr"
    register_in_browser(stack, page, f"Claire {tag}", first)
    confirm_by_focal_point(stack, page, first, 1)
    register_in_browser(stack, page, f"Marc {tag}", second)
    confirm_by_focal_point(stack, page, second, 2)

    # A partner's request, approved by the committee; its Action recorded by the officer, the
    # training (activity 5) needing one expert.
    partner, receipt = submit(stack, page)
    mailbox = about(stack, receipt)
    status_url = link_in(receipt, stack.base_url, "/requests/")
    for member in voters():
        mailbox.wait_for(member["inbox"], 1)
    review_round(mailbox, page, status_url, approve)
    mailbox.wait_for(partner, 2)
    reference = re.search(r"MX-\d{4}-\d{4,}", receipt["subject"])
    assert reference
    plan = json.loads((ROOT / "schemas" / "action.schema.json").read_text())["examples"][0]
    plan["activities"][4]["experts"]["number"] = 1
    (tmp_path / "action.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    ops(stack, tmp_path, "action", "record", "--request", reference.group(0),
        "--file", str(tmp_path / "action.yaml"))  # fmt: skip

    # The officer ranks the experts for the training: each rank says why.
    ranked = ops(stack, tmp_path, "experts", "match", reference.group(0), "5")
    assert "training" in ranked.splitlines()[0]
    assert f"Claire {tag}" in ranked and f"Marc {tag}" in ranked
    assert "matched: topic: " in ranked and "trafficking_in_human_beings" in ranked
    ids = {
        name: line.split()[2]
        for line in ranked.splitlines()
        for name in (f"Claire {tag}", f"Marc {tag}")
        if name in line
    }

    # Claire is invited and declines: the place is free, the officer is told.
    ops(stack, tmp_path, "experts", "invite", reference.group(0), "5", ids[f"Claire {tag}"],
        "--by", "po-africa")  # fmt: skip
    answer_invitation(stack, page, first, accept=False)
    officer = "amadou.sow@icmpd.example.org"  # the demo's Africa officer (Senegal)
    for _ in range(120):
        if [m for m in Mailbox(stack).to(officer) if "place" in m["subject"]]:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the officer was not told that the place is free")
    # The place refilled: Marc is invited and accepts.
    ops(stack, tmp_path, "experts", "invite", reference.group(0), "5", ids[f"Marc {tag}"],
        "--by", "po-africa")  # fmt: skip
    answer_invitation(stack, page, second, accept=True)
    listed = ops(stack, tmp_path, "experts", "invitations", reference.group(0), "5")
    assert "places: 1 of 1 filled" in listed

    # The partner's status page lists the confirmed expert (who agreed to it), not the other.
    page.goto(status_url)
    content = page.content()
    assert f"Marc {tag}" in content and f"Claire {tag}" not in content
    no_violations(page, "the partner's status page with its experts")
