"""Importers: real event data and graph files -> one diplograph data file.

One module per source: ``gdelt`` (GDELT 1.0/2.0 event exports), ``icews`` (ICEWS
Dataverse ``.tab`` files), ``csv`` (any edge list), ``graph`` (GraphML, GEXF, node-link
JSON, diplograph's own exports round-tripping exactly); ``common`` holds the merge of
rows into relations, the merge of entities by identifier, the report and the streaming,
atomic writer. Importers return a ``common.Report`` and never print.
"""
