"""The patient's page for a waitlist offer, reached through the signed link in the offer.

GET only shows the offer (mail scanners open links); taking or declining it is a POST.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from carebridge.core.timeranges import zone_of
from carebridge.notifications.rendering import visit_time_text
from carebridge.portal.texts import texts_for
from carebridge.portal.views import link_page
from carebridge.scheduling.constants import ConfirmationChannel
from carebridge.scheduling.models import WaitlistOffer
from carebridge.scheduling.services.backfill import offer_for_link, offered_visit
from carebridge.scheduling.services.messages import address_line
from carebridge.scheduling.services.waitlist import waitlist_offer_accept, waitlist_offer_decline
from carebridge.scheduling.waitlist_constants import OfferStatus

# What the page says about an offer that is no longer open.
ENDED_NOTICES = {
    OfferStatus.ACCEPTED: "offer_won",
    OfferStatus.TAKEN: "offer_taken",
    OfferStatus.DECLINED: "offer_declined",
    OfferStatus.EXPIRED: "offer_ended",
}


def _page(request: HttpRequest, offer: WaitlistOffer, token: str, notice: str = "", status=200):
    visit = offered_visit(offer)
    language, texts = texts_for(visit.patient.preferred_language)
    zone = zone_of(visit.location.timezone)
    notice = notice or ENDED_NOTICES.get(offer.status, "")
    context = {
        "t": texts,
        "language": language,
        "visit": visit,
        "when": visit_time_text(start=visit.start, zone=zone, language=language),
        "until": visit_time_text(start=offer.expires_at, zone=zone, language=language),
        "address": address_line(visit.location),
        "token": token,
        "open": offer.status == OfferStatus.OPEN,
        "notice_text": texts[notice] if notice else "",
    }
    return render(request, "portal/waitlist_offer.html", context, status=status)


@require_GET
@link_page
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, offer_for_link(token=token), token)


@require_POST
@link_page
def waitlist_offer_take(request: HttpRequest, token: str) -> HttpResponse:
    offer = offer_for_link(token=token)
    answer = waitlist_offer_accept(offer=offer, via=ConfirmationChannel.LINK)
    offer.refresh_from_db(fields=["status"])
    if answer.won:
        return _page(request, offer, token, notice="offer_won")
    # A page opened earlier may be sent after the offer ran out or was declined: say that,
    # not that someone else took the time.
    notice = ENDED_NOTICES.get(offer.status, "offer_taken")
    return _page(request, offer, token, notice=notice, status=409)


@require_POST
@link_page
def waitlist_offer_decline_view(request: HttpRequest, token: str) -> HttpResponse:
    offer = waitlist_offer_decline(offer=offer_for_link(token=token), via=ConfirmationChannel.LINK)
    return _page(request, offer, token)
