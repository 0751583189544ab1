"""What a serving process does once, after Django is set up and before its first request."""

import gc

from django.urls import get_resolver


def prepare_for_requests() -> None:
    """Import every view now, then take everything loaded out of the garbage collector's way.

    A full collection walks every object the process holds. Django's and Placebook's modules,
    models, URL patterns and templates are a quarter of a million objects that live as long
    as the process, and walking them made every few dozenth request 100-150 ms slower
    (benchmarks/README.md, dashboards). ``gc.freeze`` moves them to a generation that is
    never walked; objects made later are collected as before.
    """
    get_resolver().url_patterns  # noqa: B018 (evaluated for its imports)
    gc.collect()
    gc.freeze()
