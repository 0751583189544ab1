import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from placebook.core.actors import SystemActor
from placebook.core.models import Role
from tests.factories.core import UserFactory, user_with_role


def pytest_configure(config):
    from django.conf import settings

    # Tests make hundreds of users; a deliberately slow hash would cost seconds for each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: SQLite reuses ids a rolled-back test used, so
    a cache key built from them could otherwise meet an earlier test's entry."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def system():
    return SystemActor("tests")


@pytest.fixture
def officer(db):
    return user_with_role(Role.COUNCIL_OFFICER, username="officer")


@pytest.fixture
def commissioner(db):
    return user_with_role(Role.COMMISSIONER, username="commissioner")


@pytest.fixture
def manager(db):
    return user_with_role(Role.SENIOR_MANAGER, username="manager")


@pytest.fixture
def provider_user(db):
    return user_with_role(Role.PROVIDER_USER, username="provider")


@pytest.fixture
def link_worker(db):
    return user_with_role(Role.LINK_WORKER, username="linkworker")


@pytest.fixture
def councillor(db):
    return user_with_role(Role.COUNCILLOR, username="councillor")


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="norole")


@pytest.fixture
def api():
    return APIClient()
