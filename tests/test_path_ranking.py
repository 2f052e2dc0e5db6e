"""One documented ranking of paths (``queries.paths.path_rank``): ``path`` and
``path --k N`` put the same path first; ``--chronological`` places an open span at
its start."""

import itertools
import json

import pytest

from diplograph.files.locate import bundled_data_dir
from diplograph.model.errors import NoPath
from diplograph.queries.paths import PathOptions, chronological_ok, paths
from diplograph.store.cache import open_store


def hop_ids(cli, *args) -> dict[int, list[str]]:
    rows = json.loads(cli("path", *args, "--format", "json").stdout)
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["path"], []).append(row["relation_id"])
    return found


def test_trump_to_tsikhanouski_goes_through_kellogg(cli):
    first = hop_ids(cli, "Trump", "Tsikhanouski")[1]
    assert first == [
        "kellogg-envoy-of-trump",
        "kellogg-met-lukashenko",
        "lukashenko-released-tsikhanouski",
    ]


@pytest.mark.parametrize("k", [2, 3, 5])
def test_k_paths_start_with_the_path_path_shows(cli, k):
    assert (
        hop_ids(cli, "Trump", "Tsikhanouski", "--k", str(k))[1]
        == (hop_ids(cli, "Trump", "Tsikhanouski")[1])
    )


def test_every_pair_gets_the_same_first_path_with_and_without_k():
    graph = open_store(bundled_data_dir())
    people = sorted(n for n in graph.entity_ids() if graph.entity(n).get("type") == "person")
    for a, b in itertools.combinations(people, 2):
        try:
            one = paths(graph, a, b, PathOptions())
        except NoPath:
            continue
        three = paths(graph, a, b, PathOptions(k=3))
        assert [e[2] for e in three[0]] == [e[2] for e in one[0]], (a, b)
        assert len(three) <= 3 and len({tuple(e[2] for e in p) for p in three}) == len(three)


@pytest.mark.parametrize(
    ("hops", "ok"),
    [
        (["2025-06-21", "2024-23/.."], False),  # "since autumn 2024" does not follow June
        (["2024-10", "2024-23/.."], True),
        (["2024-23/..", "2025-06-21"], True),
        (["../2022", "2025-06"], True),
        (["2025-06", "../2022"], False),
    ],
)
def test_an_open_span_counts_as_its_start(hops, ok):
    assert chronological_ok([{"date": d} for d in hops]) is ok


def test_chronological_path_refuses_an_open_span_after_a_later_date(cli):
    # Kellogg met Lukashenko on June 21; the U.S. talks on RFE/RL staff began in autumn 2024
    result = cli("path", "Kellogg", "rfe-rl-former-employees", "--chronological")
    assert result.exit_code == 1
    assert "no path" in result.stderr
    assert cli("path", "Kellogg", "rfe-rl-former-employees").exit_code == 0
