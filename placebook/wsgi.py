import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "placebook.settings")
application = get_wsgi_application()

from placebook.startup import prepare_for_requests  # noqa: E402 (needs Django set up)

prepare_for_requests()
