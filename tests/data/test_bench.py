"""bench_import prints its timings and leaves nothing behind."""

import io
import re

import pytest
from django.core.management import call_command

from absences.models import Absence, AbsenceChange
from people.models import User


@pytest.mark.django_db
def test_bench_import_prints_rows_per_second_for_both_passes_and_cleans_up():
    out = io.StringIO()

    call_command("bench_import", rows=30, people=3, stdout=out)

    lines = out.getvalue().splitlines()
    assert re.match(r"import \(all created\) +30 rows .* rows/s.*\(30 created\)", lines[0])
    assert re.match(r"re-import \(all unchanged\) +30 rows .* rows/s.*\(30 unchanged\)", lines[1])
    assert lines[2] == "(benchmark data removed)"
    assert not User.objects.filter(username__startswith="bench-").exists()
    assert Absence.objects.count() == 0 and AbsenceChange.objects.count() == 0
