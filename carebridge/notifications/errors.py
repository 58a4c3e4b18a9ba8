"""Why a message could not be handed to its gateway.

The delivery loop decides on the class alone: a transient error is retried later with
backoff, a permanent one fails the message at once. Transports translate every failure of
their gateway into one of the two, so the loop never sees SMTP or HTTP specifics.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A gateway did not take the message; `reason` is short and fit for an operator."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TransientDeliveryError(DeliveryError):
    """Worth trying again: the gateway was unreachable, slow, busy or asked us to wait."""


class PermanentDeliveryError(DeliveryError):
    """Trying again would fail the same way: the gateway refused this message or recipient."""
