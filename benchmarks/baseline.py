"""The straightforward approach, for comparison: parse the JSON, build a networkx
MultiDiGraph with every attribute, answer one who-met, print it as CSV.

    python benchmarks/baseline.py DATA.json ENTITY_ID
"""

import csv
import json
import sys

import networkx as nx


def main() -> int:
    path, person = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    graph = nx.MultiDiGraph()
    for entity in data["entities"]:
        graph.add_node(entity["id"], **entity)
    for rel in data["relations"]:
        graph.add_edge(rel["source"], rel["target"], key=rel["id"], **rel)
    rows = [
        (other, attrs.get("date", ""), attrs["certainty"], json.dumps(attrs["evidence"]))
        for edges, end in (
            (graph.out_edges(person, data=True), 1),
            (graph.in_edges(person, data=True), 0),
        )
        for *pair, attrs in edges
        if attrs["type"] == "met"
        for other in [pair[end]]
    ]
    csv.writer(sys.stdout).writerows(sorted(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
