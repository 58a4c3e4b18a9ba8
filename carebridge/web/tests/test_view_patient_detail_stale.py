"""Saving demographics someone else saved meanwhile: the page keeps what this user typed,
takes the other's changes and the fresh version, and says what the other person changed."""

from html.parser import HTMLParser

import pytest

from carebridge.patients.services import patient_update

pytestmark = pytest.mark.usefixtures("frozen_monday")


class ShownForm(HTMLParser):
    """What a browser sends for the page's demographics form as it is shown."""

    def __init__(self, html: str):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._in_form = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("method") == "post" and "/patients/" in attrs["action"]
        elif not self._in_form:
            return
        elif tag == "input" and attrs.get("type") != "checkbox":
            self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and "checked" in attrs:
            self.data[attrs["name"]] = attrs.get("value", "on")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and "selected" in attrs:
            self.data[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def stale_banner(html: str) -> str:
    return html.split('<div class="banner banner-warning" role="alert">')[1].split("</div>")[0]


def shown_form(client, url, **typed) -> dict[str, str]:
    return {**ShownForm(client.get(url).content.decode()).data, **typed}


def test_a_stale_save_keeps_the_users_edits_and_takes_the_others(coordinator_client, patient_a):
    # given the page open with the address typed in, and someone else saving meanwhile
    url = f"/patients/{patient_a.public_id}/"
    typed = shown_form(coordinator_client, url, address_line="12 Elm St")
    patient_update(
        patient=patient_a, actor=None, fields={"city": "Quincy", "consent_sms": True, "email": ""}
    )

    # when
    response = coordinator_client.post(url, typed)

    # then the form holds both changes and the fresh version; it names the other's changes
    html = response.content.decode()
    assert response.status_code == 412
    banner = stale_banner(html)
    assert "This patient was changed by someone else" in banner
    assert "<li>City: now “Quincy”</li>" in banner and "<li>May be texted: now “yes”</li>" in banner
    assert "<li>Email: now empty</li>" in banner
    assert "Address" not in banner
    shown = ShownForm(html).data
    assert shown["address_line"] == "12 Elm St"
    assert shown["city"] == "Quincy" and shown["consent_sms"] == "on" and shown["email"] == ""
    assert shown["expected_version"] == "2"


def test_saving_the_refreshed_form_again_saves_everyone_s_changes(coordinator_client, patient_a):
    url = f"/patients/{patient_a.public_id}/"
    typed = shown_form(coordinator_client, url, address_line="12 Elm St")
    patient_update(patient=patient_a, actor=None, fields={"city": "Quincy"})
    refreshed = ShownForm(coordinator_client.post(url, typed).content.decode()).data

    response = coordinator_client.post(url, refreshed)

    patient_a.refresh_from_db()
    assert response.status_code == 302
    assert patient_a.address_line == "12 Elm St" and patient_a.city == "Quincy"
    assert patient_a.version == 3


def test_a_field_both_changed_keeps_the_users_value_and_shows_the_current_one(
    coordinator_client, patient_a
):
    url = f"/patients/{patient_a.public_id}/"
    typed = shown_form(coordinator_client, url, city="Cambridge", sex="female")
    patient_update(patient=patient_a, actor=None, fields={"city": "Quincy", "sex": "other"})

    response = coordinator_client.post(url, typed)

    html = response.content.decode()
    banner = stale_banner(html)
    assert "<li>City: now “Quincy”</li>" in banner and "<li>Sex: now “Other”</li>" in banner
    shown = ShownForm(html).data
    assert shown["city"] == "Cambridge" and shown["sex"] == "female"
    patient_a.refresh_from_db()
    assert patient_a.city == "Quincy"
