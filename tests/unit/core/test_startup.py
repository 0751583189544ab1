import gc
import weakref

from placebook.startup import prepare_for_requests


class _Node:
    pass


def test_prepare_for_requests_freezes_what_is_loaded_and_still_collects_what_comes_after():
    gc.unfreeze()
    try:
        prepare_for_requests()
        assert gc.get_freeze_count() > 10_000  # Django, the views and the URL patterns at least
        node = _Node()
        node.itself = node  # a cycle: only the collector frees it
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
