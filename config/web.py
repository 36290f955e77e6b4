"""What every browser page shares: it needs a signed-in user, shows times in that user's zone, and
turns a service's ``DomainError`` (or a model's ``ValidationError``) into errors on the form field
the service named, so the browser and the API report the same rule in the same words."""

import re
from collections.abc import Callable, Mapping
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.errors import DomainError


def page(view: Callable) -> Callable:
    """A signed-in page whose dates and times render (and parse) in the user's time zone."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(request.user.timezone):
            return view(request, *args, **kwargs)

    return wrapped


def add_service_error(form: forms.Form, error: DomainError | ValidationError, fields: Mapping[str, str]) -> None:
    """Attach ``error`` to the form field ``fields`` maps its ``attr`` to (``a.0`` counts as ``a``);
    an unmapped attribute becomes a form-wide error."""
    if isinstance(error, DomainError):
        pairs = [(error.attr, [error.detail])]
    elif hasattr(error, "error_dict"):
        pairs = [(attr, messages) for attr, messages in error.message_dict.items()]
    else:
        pairs = [(None, error.messages)]
    for attr, messages in pairs:
        name = fields.get((attr or "").split(".")[0])
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, _in_form_words(message, form, fields))


def _in_form_words(message: str, form: forms.Form, fields: Mapping[str, str]) -> str:
    """Services name API fields (``end_date``); a person reads the form's labels ("End date")."""
    for attr, name in fields.items():
        if "_" not in attr or name not in form.fields:
            continue
        label = str(form.fields[name].label)

        def say(match, label=label):
            return label if match.start() == 0 else label.lower()

        message = re.sub(rf"\b{re.escape(attr)}\b", say, message)
    return message


class AccessibleForm(forms.Form):
    """A form whose fields with errors point at their message (``aria-describedby``, ``aria-invalid``);
    ``templates/includes/field.html`` renders the ``<id>_error`` and ``<id>_helptext`` elements."""

    def full_clean(self) -> None:
        super().full_clean()
        self._describe_errors()

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        self._describe_errors()

    def _describe_errors(self) -> None:
        for name in self._errors or {}:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_error"] + ([f"{bound.auto_id}_helptext"] if self.fields[name].help_text else [])
            self.fields[name].widget.attrs.update({"aria-describedby": " ".join(ids), "aria-invalid": "true"})
