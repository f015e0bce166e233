"""Set Django up for a benchmark: on a throwaway SQLite database unless DATABASE_URL is given."""

import os
import sys
import tempfile
from pathlib import Path


def setup() -> str:
    """Configure settings and migrate; returns a description of the database used."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if "DATABASE_URL" not in os.environ:
        # One throwaway SQLite database per benchmark run, shared with the child processes it starts.
        os.environ.setdefault("BENCH_VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
        os.environ["VAR_DIR"] = os.environ["BENCH_VAR_DIR"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotation.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"
