from django.apps import AppConfig


class BenchConfig(AppConfig):
    """``manage.py bench``: seeds a separate database and measures the API through the whole stack.

    It sits above every domain app (it seeds and calls all of them) and nothing imports it.
    """

    name = "bench"
    verbose_name = "Benchmark"
