from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "placebook.purchasing"
    label = "purchasing"
