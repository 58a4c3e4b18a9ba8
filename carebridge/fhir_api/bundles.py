"""Searchset Bundles with paging links a client can follow."""

from __future__ import annotations

from urllib.parse import urlencode

from carebridge.fhir_api.outcomes import issue, operation_outcome
from carebridge.fhir_api.search import Page, SearchRequest, SearchResult, unknown_code_effect


def searchset(
    *, base_url: str, resource_type: str, search: SearchRequest, result: SearchResult
) -> dict:
    """A Bundle of one page of matches; `base_url` ends with a slash."""
    type_url = f"{base_url}{resource_type}"
    page = search.page
    links = [_link("self", type_url, search, page)]
    if result.has_next and page.count:
        links.append(_link("next", type_url, search, Page(page.count, page.end)))
    if page.offset and page.count:
        previous = Page(page.count, max(page.offset - page.count, 0))
        links.append(_link("previous", type_url, search, previous))
    entries = [
        {
            "fullUrl": f"{base_url}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": "match"},
        }
        for resource in result.resources
    ]
    if search.ignored or search.unknown_codes:
        entries.append({"resource": _outcome(search), "search": {"mode": "outcome"}})
    bundle: dict = {"resourceType": "Bundle", "type": "searchset"}
    if result.total is not None:
        bundle["total"] = result.total
    bundle["link"] = links
    if entries:
        bundle["entry"] = entries
    return bundle


def _link(relation: str, type_url: str, search: SearchRequest, page: Page) -> dict:
    pairs = [(name, value) for name, values in search.values.items() for value in values]
    pairs += [("_count", page.count), ("_offset", page.offset)]
    return {"relation": relation, "url": f"{type_url}?{urlencode(pairs)}"}


def _outcome(search: SearchRequest) -> dict:
    """Warnings for the parameters ignored and the codes that matched nothing."""
    ignored = [
        issue(
            severity="warning",
            code="not-supported",
            diagnostics=f"search parameter {name!r} is not supported and was ignored",
            expression=name,
        )
        for name in search.ignored
    ]
    unknown = [
        issue(
            severity="warning",
            code="code-invalid",
            diagnostics=f"{error.message}; {unknown_code_effect(error)}",
            expression=error.field,
        )
        for error in search.unknown_codes
    ]
    return operation_outcome(ignored + unknown)
