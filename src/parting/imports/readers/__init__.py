"""One module per family of formats. Each reader is a function ``read(file, options, problems)``
that yields records (parting.imports.records) and reports what it cannot read to ``problems``."""
