"""The exclusion filter language: a table of expressions against one work item, and every error position."""

import pytest

from config.errors import DomainError
from rules.exclusion import compile_filter

ITEM = {
    "project": "ABC",
    "issuetype": "Bug",
    "priority": "High",
    "status": "In Progress",
    "labels": ["Frontend", "needs-review"],
    "component": None,
    "reporter": "alice@example.com",
}

MATCHES = [
    # equality, case-insensitive values, fields and keywords
    ("project = ABC", True),
    ("project = abc", True),
    ("PROJECT = abc", True),
    ("project = XYZ", False),
    ("project != XYZ", True),
    ("project != abc", False),
    ("issuetype = bug", True),
    ('status = "in progress"', True),
    ("status = 'IN PROGRESS'", True),
    ("status = in", False),
    ("reporter = alice@example.com", True),
    # lists: labels = x means x is one of the labels
    ("labels = frontend", True),
    ("labels = backend", False),
    ("labels != frontend", False),
    ("labels != backend", True),
    ("labels in (backend, NEEDS-REVIEW)", True),
    ("labels not in (backend, ops)", True),
    ("labels not in (frontend)", False),
    ("project in (XYZ, 'abc')", True),
    ("project IN (XYZ)", False),
    ("project Not In (XYZ)", True),
    # emptiness
    ("component is empty", True),
    ("component IS NOT EMPTY", False),
    ("labels is empty", False),
    ("labels is not empty", True),
    ("priority is null", False),
    ("component = x", False),
    ("component != x", True),
    # precedence: NOT over AND over OR
    ("project = XYZ AND priority = high OR labels = frontend", True),
    ("project = XYZ AND (priority = high OR labels = frontend)", False),
    ("labels = frontend OR project = XYZ AND priority = low", True),
    ("(labels = frontend OR project = XYZ) AND priority = low", False),
    ("NOT project = XYZ AND priority = high", True),
    ("NOT (project = ABC AND priority = low)", True),
    ("NOT project = ABC OR priority = high", True),
    ("NOT (project = ABC OR priority = low)", False),
    ("not not project = abc", True),
    ("project = abc and not labels in (frontend)", False),
    # quoting and escapes
    ('status = "In \\"Progress\\""', False),
    ("labels = 'needs-review'", True),
    ('project = "ABC" and labels = "Frontend"', True),
    ("project = 'and'", False),
    # multi-line input
    ("project = abc\n  AND labels = frontend\n  AND priority != low", True),
    # the empty filter matches nothing
    ("", False),
    ("   \n  ", False),
]


@pytest.mark.parametrize(("text", "expected"), MATCHES)
def test_expression_matches_work_item(text, expected):
    assert compile_filter(text).matches(ITEM) is expected


def test_issue_type_key_of_the_resolve_api_is_read_too():
    assert compile_filter("issuetype = story").matches({"issue_type": "Story"})


def test_missing_fields_count_as_empty():
    assert compile_filter("priority is empty AND labels is empty").matches({})
    assert compile_filter("priority != high").matches({})


ERRORS = [
    ("project = abc)", "Unexpected ')' at line 1, column 14"),
    ("project = abc or", "Unexpected end of filter at line 1, column 17"),
    ("(project = abc", "Unexpected end of filter at line 1, column 15; expected ')'"),
    ("foo = 1", "Unknown field 'foo' at line 1, column 1"),
    ("project = abc and bogus in (x)", "Unknown field 'bogus' at line 1, column 19"),
    ('project = "abc', "Unterminated string at line 1, column 11"),
    ("project = 'abc", "Unterminated string at line 1, column 11"),
    ("project == x", "Unexpected '=' at line 1, column 10; expected a value"),
    ("project in ()", "Unexpected ')' at line 1, column 13; expected a value"),
    ("project in (a,)", "Unexpected ')' at line 1, column 15"),
    ("project in a", "Unexpected 'a' at line 1, column 12; expected '('"),
    ("project", "Unexpected end of filter at line 1, column 8"),
    ("project is", "Unexpected end of filter at line 1, column 11; expected one of EMPTY, NOT"),
    ("project is full", "Unexpected 'full' at line 1, column 12"),
    ("project = a b", "Unexpected 'b' at line 1, column 13; expected one of AND, OR, the end of the filter"),
    ("AND project = a", "Unexpected 'AND' at line 1, column 1"),
    ("project = a AND AND", "Unexpected 'AND' at line 1, column 17"),
    ("()", "Unexpected ')' at line 1, column 2"),
    ("project ! a", "Unexpected character '!' at line 1, column 9"),
    ("project ~ a", "Unexpected '~' at line 1, column 9"),
    ("project = abc\nAND labels = x)", "Unexpected ')' at line 2, column 15"),
    ("project = abc\n  AND\n  (labels = x", "Unexpected end of filter at line 3, column 14"),
    ("project = abc\nOR status = 'open\n", "Unterminated string at line 2, column 13"),
    ("project = abc AND\n\n", "Unexpected end of filter at line 1, column 18"),
    ("NOT " * 70 + "project = a", "nests more than 64 levels deep"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_invalid_filter_names_line_and_column(text, message):
    with pytest.raises(DomainError) as caught:
        compile_filter(text, attr="default_exclusion_filter")
    assert message in caught.value.detail
    assert caught.value.attr == "default_exclusion_filter"
    assert caught.value.code == "invalid_filter"


def test_compiled_filters_are_cached_by_text():
    assert compile_filter("project = abc") is compile_filter("project = abc")


def test_the_same_text_errs_on_each_callers_attr():
    for attr in ("exclusion_filter", "default_exclusion_filter"):
        with pytest.raises(DomainError) as caught:
            compile_filter("project =", attr=attr)
        assert caught.value.attr == attr
