from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "placebook.scrutiny"
    label = "scrutiny"
