"""The phrases typical of a set of interactions, against the others."""

from tests.themes.conftest import add_sentences
from voice.keyphrases.typical import typical_phrases


def test_phrases_typical_of_overlapping_sets_against_a_universe(store):
    ids = [f"i{n}" for n in range(20)]
    for iid in ids:
        add_sentences(store, iid, [("es", "Un comentario.")])
    rows = [(f"i{n}", "filtro", "Filtro") for n in range(5)]  # only where the purifier is mentioned
    rows += [(f"i{n}", "ruido", "ruido") for n in range(3, 8)]  # both products' interactions
    rows += [(iid, "pedido", "pedido") for iid in ids]  # everywhere: no lift
    store.db.conn.executemany("insert into keyphrases (interaction_id, phrase, surface, score, rank) "
                              "values (?, ?, ?, 0.5, 1)", rows)
    members = {"airpure": {f"i{n}" for n in range(6)}, "roboclean": {f"i{n}" for n in range(3, 9)}}
    out = typical_phrases(store, members, ids)
    assert [p[0] for p in out["airpure"]] == ["filtro", "ruido"]  # "filtro" in 5 of 6, "ruido" in 3 of 6
    assert [p[0] for p in out["roboclean"]] == ["ruido"]  # 5 of 6, against 5 of 20 overall
    assert out["airpure"][0][1] > out["airpure"][1][1]
    # compared with its own interactions only, nothing is typical of a set
    assert typical_phrases(store, {"airpure": members["airpure"]}) == {"airpure": []}
