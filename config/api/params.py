"""Query parameters that take one value.

Django's ``QueryDict.get`` answers the last of repeated values, so ``?page_size=10&page_size=500``
would quietly mean 500. A parameter the schema gives as one value (an integer, a string, a
comma-separated list) is a 400 when it is repeated; only the documented repeatable filters
(``?user=a&user=b``) take several.
"""

from config.api.errors import validation_error

REPEATED = "repeated"


def repeated_message(name: str) -> str:
    return f"Give `{name}` once (it takes one value)."


def single_param(query_params, name: str, default=None):
    """The one value of ``name`` in the query string, ``default`` when absent; repeated is a 400."""
    values = query_params.getlist(name)
    if len(values) > 1:
        raise validation_error(repeated_message(name), attr=name, code=REPEATED)
    return values[0] if values else default
