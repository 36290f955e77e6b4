"""The one domain exception raised by services.

The API maps it into drf-standardized-errors' shape (``config.api.errors``) and the browser views
into form errors, so a service never needs to know who called it.
"""


class DomainError(Exception):
    """A business rule refused the operation. ``attr`` names the input field at fault, if any."""

    def __init__(self, detail: str, *, code: str = "invalid", attr: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.attr = attr
