import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "placebook.settings")
application = get_asgi_application()

from placebook.startup import prepare_for_requests  # noqa: E402 (needs Django set up)

prepare_for_requests()
