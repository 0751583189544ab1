from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "placebook.market"
    label = "market"
