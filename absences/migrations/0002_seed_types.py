from django.db import migrations

DEFAULT_TYPES = [
    # key, name, colour, counts_as_away, private
    ("vacation", "Vacation", "#2f9e44", True, False),
    ("sickness", "Sickness", "#e03131", True, True),
    ("trip", "Business trip", "#1971c2", True, False),
    ("training", "Training", "#9c36b5", True, False),
    ("other", "Other", "#868e96", True, False),
    ("meeting", "Meeting", "#f08c00", False, False),
]


def seed(apps, schema_editor):
    AbsenceType = apps.get_model("absences", "AbsenceType")
    for key, name, color, away, private in DEFAULT_TYPES:
        AbsenceType.objects.update_or_create(
            key=key, defaults={"name": name, "color": color, "counts_as_away": away, "private": private}
        )


def unseed(apps, schema_editor):
    apps.get_model("absences", "AbsenceType").objects.filter(key__in=[t[0] for t in DEFAULT_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("absences", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
