"""One page of a long list, as every list page shows it (with ``web/_pagination.html``)."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def page_of(request, items) -> Page:
    """The page the request's ``page`` parameter asks for; the first, or the last, where it
    names no page there is."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
