"""Scheduled work kept in the database and claimed with compare-and-set, so any number of workers can run."""

from __future__ import annotations

from django.db import models


class Job(models.Model):
    name = models.CharField(max_length=100, unique=True)
    due_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
