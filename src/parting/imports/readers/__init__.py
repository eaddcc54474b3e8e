"""One module per family of formats. Each reader is a function ``read(stream, name, options, problems)``
that yields records (parting.imports.records) and reports what it cannot read to ``problems``."""
