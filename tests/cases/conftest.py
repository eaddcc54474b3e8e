"""The case fixtures live in tests/conftest.py; the helper is re-exported for the modules that import it here."""

from tests.conftest import submitted_case

__all__ = ["submitted_case"]
