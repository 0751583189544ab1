"""Purchasing pages for council staff, in one namespace: commissioning (systems, lots,
applications and their evaluation), brokerage (packages, responses, awards, approvals,
contracts, spend) and batch brokerage proposals. Each part keeps its routes in its own module."""

from placebook.web.urls_purchasing_batch import urlpatterns as batch
from placebook.web.urls_purchasing_brokerage import urlpatterns as brokerage
from placebook.web.urls_purchasing_commissioning import urlpatterns as commissioning

app_name = "purchasing"

urlpatterns = [*commissioning, *brokerage, *batch]
