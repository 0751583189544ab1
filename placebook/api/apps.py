from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "placebook.api"
    label = "api"
