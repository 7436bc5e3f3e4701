"""Issue 18's "Done when", in the staff workspace, over real HTTP in Debian's chromium.

An official registers in French; the national focal point confirms by the emailed link (a
scanner's GET and HEAD first, which change nothing); two colleagues are registered and
confirmed too. A partner's request is approved and its Action recorded, the training needing two
experts. The Project Officer signs in, opens the training's experts from the dossier, reads the
ranking with why each rank, and invites two by ticking them; one accepts and one declines (by
their emailed links); the place is refilled from the same page (a third invited); the partner's
status page lists the confirmed expert only; the expert updates her registration from her own
page. axe-core finds no violation on any new page, the workspace's in every language.

The flow of test_experts_browser.py with the ops command instead of the workspace stays as it
is: this test adds the workspace's way, reusing its steps.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.run import LocalSystem
from tests.e2e.helpers import Mailbox, link_in, no_violations
from tests.e2e.test_experts_browser import (
    ROOT,
    answer_invitation,
    ops,
    register_in_browser,
    registration,
    unchanged_by_a_scanner,
)
from tests.e2e.test_review_flow import about, approve, review_round, submit, voters
from tests.e2e.test_staff_workspace import demo_passwords

pytestmark = [pytest.mark.slow, pytest.mark.browser]
LANGUAGES = ("en", "fr", "es", "ar", "ru")


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def staff_tab(browser: Any) -> Any:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def register_by_json(stack: LocalSystem, name: str, email: str) -> None:
    post = urllib.request.Request(
        f"{stack.base_url}/experts",
        data=json.dumps(registration(name, email)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=30) as answer:
        assert answer.status == 201


def confirm(stack: LocalSystem, page: Any, focal: str, expert: str, name: str) -> None:
    """The focal point opens its request about ``name`` (a scanner first) and confirms."""
    Mailbox(stack).wait_for(expert, 1)  # the receipt
    [request] = [m for m in Mailbox(stack).to(focal) if name in m["text"]]
    link = link_in(request, stack.base_url, "/experts/confirm/")
    own_page = link_in(Mailbox(stack).to(expert)[0], stack.base_url, "/experts/me")
    unchanged_by_a_scanner(stack, link, own_page)
    page.goto(link)
    no_violations(page, "the focal point's page")
    page.get_by_label(re.compile("Confirmer")).check()
    page.get_by_role("button", name=re.compile("Envoyer la réponse")).click()
    page.wait_for_load_state()
    assert "Réponse enregistrée" in page.content()
    Mailbox(stack).wait_for(expert, 2)  # the decision


def every_language(tab: Any, where: str) -> None:
    for language in LANGUAGES:
        tab.goto(re.sub(r"lang=\w+", f"lang={language}", tab.url))
        assert tab.locator("html").get_attribute("lang") == language
        no_violations(tab, f"{where} ({language})")
    tab.goto(re.sub(r"lang=\w+", "lang=en", tab.url))


def tick(tab: Any, *names: str) -> None:
    for name in names:
        tab.get_by_label(name, exact=True).check()
    with tab.expect_navigation():
        tab.get_by_role("button", name="Invite the chosen experts").click()


def test_an_officer_matches_invites_and_refills_a_training_in_the_workspace(
    local_stack: LocalSystem, page: Any, staff_tab: Any, tmp_path: Path
) -> None:
    stack = local_stack
    tag = uuid.uuid4().hex[:6]
    focal = f"focal-{tag}@sgae.example.fr"
    ops(stack, tmp_path, "focal", "add", "--member-state", "FR", "--id", f"sgae-{tag}",
        "--name", "Jeanne Focal", "--email", focal, "--language", "fr")  # fmt: skip
    names = {who: f"{who} {tag}" for who in ("Amélie", "Bruno", "Chloé")}
    emails = {who: f"{ascii}-{tag}@interieur.example.fr" for who, ascii in
              zip(names, ("amelie", "bruno", "chloe"), strict=True)}  # fmt: skip
    register_in_browser(stack, page, names["Amélie"], emails["Amélie"])  # in French
    for who in ("Bruno", "Chloé"):
        register_by_json(stack, names[who], emails[who])
    Mailbox(stack).wait_for(focal, len(names))  # one request to confirm each
    for who in names:
        confirm(stack, page, focal, emails[who], names[who])

    # A partner's request from Senegal (po-africa's region), approved; its Action recorded by
    # the officer, the training (activity 5) needing two experts.
    partner, receipt = submit(stack, page)
    mailbox = about(stack, receipt)
    status_url = link_in(receipt, stack.base_url, "/requests/")
    request_id = re.search(r"/requests/([0-9a-f]{32})", status_url)
    reference = re.search(r"MX-\d{4}-\d{4,}", receipt["subject"])
    assert request_id and reference
    for member in voters():
        mailbox.wait_for(member["inbox"], 1)
    review_round(mailbox, page, status_url, approve)
    mailbox.wait_for(partner, 2)
    plan = json.loads((ROOT / "schemas" / "action.schema.json").read_text())["examples"][0]
    plan["activities"][4]["experts"]["number"] = 2
    (tmp_path / "action.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    ops(stack, tmp_path, "action", "record", "--request", reference.group(0),
        "--file", str(tmp_path / "action.yaml"))  # fmt: skip

    # The officer signs in and opens the training's experts
    # from the dossier's activity row.
    base = stack.base_url
    tab = staff_tab
    tab.goto(f"{base}/staff/sign-in?lang=en")
    tab.locator("#username").fill("po-africa")
    tab.locator("#password").fill(demo_passwords(stack)["po-africa"])
    with tab.expect_navigation():
        tab.locator("form button[type=submit]").click()
    tab.goto(f"{base}/staff/requests/{request_id.group(1)}?lang=en")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Experts of activity 5").click()
    assert "/activities/5/experts" in tab.url
    activity_page = tab.url
    need = tab.locator("#need").inner_text()
    assert "Training" in need and "2027-10-18" in need
    assert tab.locator("#places-left").inner_text().strip() == "2"
    # The ranking explained on screen: each of ours is there with the criteria met and not.
    for who in names:
        row = tab.locator(f"#ranking tr:has-text('{names[who]}')")
        assert row.count() == 1, who
        why = row.locator("td[data-why]").inner_text()
        assert "Topic:" in why and "Trafficking in human beings" in why, why
        assert "Works in the activity's language" in why  # French, the partner's
        assert "Knows the region" in why  # Africa, the example's experience
    every_language(tab, "an activity's experts")

    # Nothing chosen: the error at the field, nothing sent.
    with tab.expect_navigation():
        tab.get_by_role("button", name="Invite the chosen experts").click()
    assert tab.locator(".error-summary").is_visible()
    assert "Choose at least one expert to invite" in tab.locator("#experts-error").inner_text()
    no_violations(tab, "an activity's experts with an error")

    # Two invited; Amélie accepts, Bruno declines.
    tick(tab, names["Amélie"], names["Bruno"])
    assert "Invitations sent by email" in tab.locator(".notification").inner_text()
    assert tab.locator("#places-left").inner_text().strip() == "0"
    no_violations(tab, "an activity's experts after inviting")
    answer_invitation(stack, page, emails["Amélie"], accept=True)
    answer_invitation(stack, page, emails["Bruno"], accept=False)

    # The place Bruno freed is refilled: Chloé invited from the same page.
    tab.goto(activity_page)
    states = {
        who: tab.locator(f"#invitations tr:has-text('{names[who]}') [data-state]").get_attribute(
            "data-state"
        )
        for who in ("Amélie", "Bruno")
    }
    assert states == {"Amélie": "accepted", "Bruno": "declined"}
    assert tab.locator("#places-left").inner_text().strip() == "1"
    tick(tab, names["Chloé"])
    assert "Invitations sent by email" in tab.locator(".notification").inner_text()
    assert tab.locator("#invitations tbody tr").count() == 3
    assert Mailbox(stack).wait_for(emails["Chloé"], 3)[-1]["subject"].startswith("Invitation")

    # The roster and an expert's record, read from the nav entry.
    with tab.expect_navigation():
        tab.get_by_role("link", name="Experts", exact=True).click()
    assert tab.locator("#counts tr[data-member-state='FR']").count() == 1
    every_language(tab, "the roster")
    tab.goto(f"{base}/staff/experts?member_state=FR&status=active&lang=en")
    with tab.expect_navigation():
        tab.get_by_role("link", name=names["Amélie"]).first.click()
    assert "Accepted" in tab.locator("#invitations").inner_text()
    every_language(tab, "an expert's record")

    # The partner's status page lists the confirmed expert, not the others.
    page.goto(status_url)
    content = page.content()
    assert names["Amélie"] in content
    assert names["Bruno"] not in content and names["Chloé"] not in content
    no_violations(page, "the partner's status page with its experts")

    # Amélie updates her registration from her own page (the receipt's link), in French.
    page.goto(link_in(Mailbox(stack).to(emails["Amélie"])[0], base, "/experts/me"))
    page.get_by_role("link", name="Mettre à jour votre inscription").click()
    page.wait_for_load_state()
    assert page.locator("[name='expert.email']").input_value() == emails["Amélie"]
    no_violations(page, "the expert's update form, in French")
    page.locator("[name='expert.email']").fill(f"autre-{tag}@interieur.example.fr")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()  # the address cannot change here
    no_violations(page, "the expert's update form with an error")
    page.locator("[name='expert.email']").fill(emails["Amélie"])
    page.locator("[name='expert.position']").fill("Cheffe de mission")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert "Vos modifications sont enregistrées" in page.content()
    assert "Cheffe de mission" in page.content()
    no_violations(page, "the expert's page after an update")
