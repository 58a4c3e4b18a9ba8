from django.http import HttpRequest, HttpResponse

from carebridge.core import context


class RequestContextMiddleware:
    """Give every request an id and remember the client address for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_context = context.RequestContext(
            request_id=request.headers.get("X-Request-ID", "")[:64]
            or context.RequestContext().request_id,
            client_address=request.META.get("REMOTE_ADDR", ""),
        )
        token = context.set_current(request_context)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_context.request_id
        return response
