"""Importers: real event data and graph files -> one diplograph data file.

One module per source: ``gdelt`` (GDELT 1.0/2.0 event exports), ``icews`` (ICEWS
Dataverse ``.tab`` files), ``csv`` (any edge list), ``graph`` (GraphML, GEXF, node-link
JSON, diplograph's own exports round-tripping exactly), ``merge`` (diplograph data files
as one, entities merged by identifier). Shared pieces: ``collector`` (the merge of rows
into relations and of entities by identifier, and the streaming, atomic writer),
``cameo`` (the CAMEO table of ``data/cameo.json`` and the vocabulary), ``common`` (the
report, reading rows, checking the output). Importers return a ``common.Report`` and
never print; none imports the CLI.
"""
