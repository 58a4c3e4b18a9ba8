"""Text messages through a Twilio-style REST API.

Outbound is a form POST of To, From and Body to
{SMS_API_BASE}/2010-04-01/Accounts/{SMS_ACCOUNT_SID}/Messages.json with HTTP basic auth
(account SID and auth token), plus an Idempotency-Key header carrying the message's key, so
a gateway that honours it answers a retry with the first answer instead of texting twice.
"""

from __future__ import annotations

import requests
from django.conf import settings

from carebridge.notifications.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from carebridge.notifications.transports import Envelope, Transport


def messages_url(api_base: str, account_sid: str) -> str:
    return f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"


def _json(response: requests.Response) -> dict:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def classify_response(response: requests.Response) -> DeliveryError:
    """429 and 5xx mean "busy or broken, try later"; any other refusal is about this
    message (a bad number, a blocked recipient, refused credentials) and stays refused."""
    detail = _json(response).get("message") or response.reason
    reason = f"SMS gateway answered {response.status_code}: {detail}"[:300]
    if response.status_code == 429 or response.status_code >= 500:
        return TransientDeliveryError(reason)
    return PermanentDeliveryError(reason)


class TwilioSmsTransport(Transport):
    """One HTTP session (kept-alive connections) for a whole batch."""

    def __init__(
        self,
        *,
        api_base: str | None = None,
        account_sid: str | None = None,
        auth_token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.account_sid = account_sid or settings.SMS_ACCOUNT_SID
        self.auth_token = auth_token or settings.SMS_AUTH_TOKEN
        self.url = messages_url(api_base or settings.SMS_API_BASE, self.account_sid)
        self.sender = sender or settings.SMS_FROM
        self.timeout = timeout or settings.SMS_TIMEOUT
        self._session: requests.Session | None = None

    def open(self) -> None:
        self._session = requests.Session()
        self._session.auth = (self.account_sid, self.auth_token)

    def send(self, envelope: Envelope) -> str:
        form = {
            "To": envelope.to_address,
            "From": envelope.from_address or self.sender,
            "Body": envelope.body_text,
        }
        try:
            response = self._session.post(
                self.url,
                data=form,
                headers={"Idempotency-Key": envelope.key},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            # The gateway may have taken the message before the answer was lost: the retry
            # carries the same key, so such a gateway does not text twice.
            raise TransientDeliveryError(
                f"SMS gateway unreachable: {type(error).__name__}"
            ) from error
        if not response.ok:
            raise classify_response(response)
        return str(_json(response).get("sid", ""))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
