from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "placebook.web"
    label = "web"
