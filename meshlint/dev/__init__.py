"""Developer tools (schema generation); not used at run time."""
