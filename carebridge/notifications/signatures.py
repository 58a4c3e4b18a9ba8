"""The X-Twilio-Signature scheme that proves an inbound webhook came from the SMS gateway.

The gateway takes the full URL it requested, appends each POST parameter's name and value
sorted by name, signs that string with HMAC-SHA1 keyed by the account's auth token, and
sends the base64 digest in the X-Twilio-Signature header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-Twilio-Signature"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _values(params: Mapping[str, str | Iterable[str]], name: str) -> list[str]:
    """A name's values in signing order; a repeated field (a QueryDict's list) signs each
    distinct value, sorted, as the gateway does."""
    values = params.getlist(name) if hasattr(params, "getlist") else params[name]
    if isinstance(values, str):
        return [values]
    return sorted(set(values))


def twilio_signature(url: str, params: Mapping[str, str | Iterable[str]], auth_token: str) -> str:
    payload = url + "".join(
        name + value for name in sorted(params) for value in _values(params, name)
    )
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_forms(url: str) -> set[str]:
    """The URL as given, and with the scheme's default port written out or left off: proxies
    disagree on it, and the gateway signs whichever form it was configured with."""
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    if default is None or parts.port not in (None, default):
        return {url}
    bare = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    return {
        url,
        parts._replace(netloc=bare).geturl(),
        parts._replace(netloc=f"{bare}:{default}").geturl(),
    }


def twilio_signature_valid(
    url: str, params: Mapping[str, str | Iterable[str]], signature: str, auth_token: str
) -> bool:
    """Whether `signature` (the header's value; blank when missing) signs this request.
    Compared in constant time; no token or no signature is never valid."""
    if not signature or not auth_token:
        return False
    return any(
        hmac.compare_digest(twilio_signature(form, params, auth_token), signature)
        for form in _url_forms(url)
    )
