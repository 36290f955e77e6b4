from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "API tokens and settings"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from tokens import checks  # noqa: F401 - registers the scope check
        from tokens.models import APIToken, TokenSettings

        # Kept token lookups (tokens.authentication) of what changed are dropped at once, and
        # again after the commit (a request between the two could have read the old row), when
        # a new token epoch tells every other worker too.
        for model, receiver in (
            (APIToken, _token_changed),
            (get_user_model(), _user_changed),
            (TokenSettings, _settings_changed),
        ):
            post_save.connect(receiver, sender=model, dispatch_uid=f"forget-tokens-{model._meta.label}")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"forget-tokens-{model._meta.label}-delete")


def _forget_now_and_after_commit(**which) -> None:
    from django.db import transaction

    from tokens.authentication import forget_tokens
    from tokens.epoch import new_token_epoch

    def after_commit() -> None:
        forget_tokens(**which)
        new_token_epoch()  # every other worker: only now is the change there to be read

    forget_tokens(**which)
    transaction.on_commit(after_commit)


def _token_changed(sender, instance, **kwargs) -> None:
    _forget_now_and_after_commit(key_id=instance.key_id)


def _user_changed(sender, instance, **kwargs) -> None:
    _forget_now_and_after_commit(user_id=instance.pk)


def _settings_changed(sender, instance, **kwargs) -> None:
    _forget_now_and_after_commit()
