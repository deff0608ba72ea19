"""Facets: counts over a search's results or over everything the filters pass; browsing without a query."""

from voice.search import browse, facet_counts, search


def counts(facets, dim):
    return {f["value"]: f["count"] for f in facets[dim]}


def test_facets_over_everything_that_passes_the_filters(corpus):
    every = facet_counts(corpus)
    assert counts(every, "channel") == {"email": 4, "survey": 4}
    assert counts(every, "sentiment") == {"negative": 5, "positive": 2, "neutral": 1}
    assert counts(every, "lang") == {"en": 4, "es": 4}
    assert counts(every, "theme") == {"T001": 3} and every["theme"][0]["label"] == "Entregas"
    assert counts(every, "product") == {"envio-express": 2, "cafetera-c1": 2}
    narrowed = facet_counts(corpus, sentiment="negative", lang="es")
    assert counts(narrowed, "channel") == {"survey": 2} and counts(narrowed, "theme") == {"T001": 2}


def test_facets_over_a_searchs_results(corpus):
    hits = search(corpus, "cafetera", mode="text")
    facets = facet_counts(corpus, [h.interaction_id for h in hits])
    assert sum(counts(facets, "channel").values()) == len(hits)
    assert counts(facets, "product") == {"cafetera-c1": 1}
    assert facet_counts(corpus, [])["channel"] == []


def test_browse_lists_what_passes_the_filters_newest_first(corpus):
    hits, total = browse(corpus, sentiment="negative")
    assert total == 5 and [h.interaction_id for h in hits] == ["X1", "S3", "E3", "S1", "E1"]
    page2, total = browse(corpus, sentiment="negative", limit=2, offset=2)
    assert total == 5 and [h.interaction_id for h in page2] == ["E3", "S1"]
    assert "&lt;script&gt;" in hits[0].snippet  # escaped like every snippet


def test_facets_over_everything_are_kept_until_the_data_changes(corpus):
    from tests.helpers import add_analysed
    from voice.search.facets import _counts

    every = facet_counts(corpus)
    assert every == _counts(corpus, "1", [], 12)  # counted per table, as the joined count over every row gives
    statements = []
    corpus.db.conn.set_trace_callback(statements.append)
    try:
        assert facet_counts(corpus) == every
    finally:
        corpus.db.conn.set_trace_callback(None)
    assert any("data_version" in s for s in statements)  # it looked whether the data changed...
    assert not any("count(" in s for s in statements)  # ...and counted nothing again on the second visit
    add_analysed(corpus, "E9", "2026-10-20T10:00:00", "Another late delivery.", channel="email", customer="C001",
                 sentiment="negative", score=-0.6)
    assert counts(facet_counts(corpus), "channel") == {"email": 5, "survey": 4}  # a write: counted afresh
