"""The storage client documents live in: Django's ``STORAGES["documents"]``, looked up by alias.

A folder in the data directory by default, an S3-compatible bucket when configured (settings.py,
docs/configuration.md): nothing here knows which. Files are reached only through the storage API
(``open``, ``save``, ``delete``), never by path or URL, so the same code serves both.
"""

from __future__ import annotations

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

ALIAS = "documents"


class DocumentStorage(LazyObject):
    """``storages["documents"]``, looked up again after STORAGES changes (as Django's ``default_storage``).

    The FileField's type check resolves it when the models load: a backend that cannot be imported
    (a bucket set without django-storages installed) stops every command at start-up, not an upload."""

    def _setup(self):
        self._wrapped = storages[ALIAS]


document_storage = DocumentStorage()


def documents_storage():
    """The FileField's storage: a callable, so a migration names the alias, not a folder."""
    return document_storage


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    # Django forgets its storages when STORAGES changes (a test's override_settings); so do we.
    if setting == "STORAGES":
        document_storage._wrapped = empty
