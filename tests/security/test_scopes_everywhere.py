"""Token scopes hold on every endpoint (SPEC §3): the matrix's actions with a token that lacks the
method's scope are 403, whoever the caller and whatever the view's own permission classes
(absence types once dropped the scope check: a read-only admin token could create types)."""

import pytest

from tests.security.test_visibility_matrix import CASES

SCOPE_OF = {"GET": "read", "POST": "write", "PUT": "write", "PATCH": "write", "DELETE": "delete"}
PERSONAL_FEED_KEY_ONLY = {"calendars feed (wrong key)"}  # a key, not credentials, decides there

RESULTS: list[str] = []  # counted by conftest
PASSED: list[bool] = []
SCOPE_CASES = [
    pytest.param(case, caller, id=f"{case.name}-{caller}")
    for case in CASES
    if case.name not in PERSONAL_FEED_KEY_ONLY
    for caller in ("owner", "admin")
]


@pytest.mark.parametrize(("case", "caller"), SCOPE_CASES)
def test_a_token_without_the_methods_scope_is_refused(case, caller, world, client_for):
    needed = SCOPE_OF[case.method]
    user = world.owner if caller == "owner" else world.admin
    scopes = [scope for scope in ("read", "write", "delete") if scope != needed]
    client = client_for(user, scopes=scopes + (["admin"] if caller == "admin" else []))
    before = world.snapshot()
    body = case.body(world) if case.body else None
    method = getattr(client, case.method.lower())
    response = method(case.path(world), body, format="json") if body is not None else method(case.path(world))
    assert response.status_code == 403, response.content[:300]
    RESULTS.append(f"{case.name}-{caller}")
    assert needed in response.json()["errors"][0]["detail"]
    assert world.snapshot() == before
    PASSED.append(True)
