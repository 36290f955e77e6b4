from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "API tokens and settings"

    def ready(self) -> None:
        from tokens import checks  # noqa: F401 - registers the scope check
