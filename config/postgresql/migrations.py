"""Migration operations for what only PostgreSQL has (ranges, GiST and SP-GiST indexes): SQL run
on PostgreSQL, nothing on SQLite (the embedded mode keeps the btrees the models declare)."""

from django.db import migrations


def postgresql_only(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """A ``RunPython`` that executes ``forward`` (``backward`` when unapplied) on PostgreSQL only."""

    def run(statements):
        def execute(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for sql in statements:
                    schema_editor.execute(sql)

        return execute

    return migrations.RunPython(run(forward), run(backward), elidable=False)
