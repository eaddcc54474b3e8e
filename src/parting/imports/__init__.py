"""Importers: readers per format yield normalised records with their source position; the loader
validates them all, then writes them all in one transaction, keyed so that loading a file twice adds
nothing (issue 10; DESIGN.md "Imports")."""
