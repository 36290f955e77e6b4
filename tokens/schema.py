"""OpenAPI: the rate-limit headers that every API response can carry (a drf-spectacular postprocessing hook)."""

RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": ("integer", "Requests allowed in the current hourly window."),
    "X-RateLimit-Remaining": ("integer", "Requests left in the current window."),
    "X-RateLimit-Reset": ("integer", "UTC epoch seconds when the window resets."),
    "RateLimit-Policy": ("string", 'IETF draft: `"hourly";q=<limit>;w=3600`.'),
    "RateLimit": ("string", 'IETF draft: `"hourly";r=<remaining>;t=<seconds to reset>`.'),
}
RETRY_AFTER = ("integer", "Seconds until the window resets.")


def _header(kind: str, description: str) -> dict:
    return {"schema": {"type": kind}, "description": description}


def add_rate_limit_headers(result, generator, request, public):
    """Documents the rate-limit headers on every response under /api/v1/ and Retry-After on 429s."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                headers = response.setdefault("headers", {})
                headers.update({name: _header(*spec) for name, spec in RATE_LIMIT_HEADERS.items()})
                if code == "429":
                    headers["Retry-After"] = _header(*RETRY_AFTER)
    return result
