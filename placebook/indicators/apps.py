from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "placebook.indicators"
    label = "indicators"
