from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "placebook.community"
    label = "community"
