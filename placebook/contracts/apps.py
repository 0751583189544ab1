from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "placebook.contracts"
    label = "contracts"
