"""Parting: notice which clients cost more than they bring, decide objectively, part ways properly."""

__version__ = "0.1.0"
