"""Query methods of rules: visibility (the people app's policy) and the ``project`` filter."""

from django.db import connection, models
from django.db.models.expressions import RawSQL

from people.querysets import OwnedQuerySet


class RuleQuerySet(OwnedQuerySet):
    def for_project(self, key: str):
        """Rules that apply to project ``key``: it is listed, or the rule lists none (all projects)."""
        key = key.strip().upper()
        if connection.vendor == "postgresql":
            listed = models.Q(projects__contains=[key])  # served by the GIN index of migration 0002
        else:
            table = self.model._meta.db_table
            sql = f"SELECT r.id FROM {table} r, json_each(r.projects) p WHERE p.value = %s"  # noqa: S608 - model's table
            ids = RawSQL(sql, [key])  # noqa: S611 - the key is a bound parameter
            listed = models.Q(pk__in=ids)
        return self.filter(listed | models.Q(projects=[]))
