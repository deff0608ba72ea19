from voice.search.query import fts_match, marked_html, terms


def test_terms_keep_phrases_and_drop_punctuation():
    assert terms('entrega "Envío Express" * ( tardía') == ["entrega", "Envío Express", "tardía"]
    assert terms('"unbalanced quote') == ["unbalanced", "quote"]
    assert terms("  *  ( ) ^ : ") == []


def test_every_term_is_quoted_so_operators_are_words():
    assert fts_match("AND OR *") == '"AND" "OR"'
    assert fts_match("NEAR(a b)") == '"NEAR(a" "b)"'
    assert fts_match("entrega tarde", any_term=True) == '"entrega" OR "tarde"'
    assert fts_match("") is None


def test_marked_html_escapes_then_marks():
    assert marked_html("<b>\x02x\x03</b> & 'y'") == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; &#x27;y&#x27;"


def test_the_any_word_fallback_leaves_function_words_out():
    from voice.search.query import fts_match

    # alone, "no", "en", "mi" match nearly every English and Spanish message
    assert fts_match("cargo no autorizado en mi tarjeta", any_term=True) == '"cargo" OR "autorizado" OR "tarjeta"'
    assert fts_match("cargo no autorizado en mi tarjeta") == '"cargo" "autorizado" "tarjeta"'
    assert fts_match("the and of") == '"the" "and" "of"'  # nothing else: the function words are the query
    assert fts_match('"no llegó" la caja', any_term=True) == '"no llegó" OR "caja"'  # a phrase stays whole
    assert fts_match("the and of", any_term=True) is None


def test_words_match_by_their_stem_in_the_query_language():
    # Snowball stems as prefixes: "cancelado" finds cancelaron / cancelación; short stems stay exact words
    assert fts_match("vuelo cancelado", lang="es") == '"vuelo"* "cancel"*'  # stem "vuel" too short: the word
    assert fts_match("me perdieron la maleta", lang="es", any_term=True) == '"perdieron"* OR "malet"*'
    assert fts_match("pedidos", lang="es") == '"pedido"*'  # Snowball's "ped": the plural dropped instead
    assert fts_match("delayed flights", lang="en") == '"delay"* "flight"*'
    assert fts_match("habitación ruidosa", lang="es") == '"habit"* "ruidos"*'  # the accent folds as FTS5 folds it
    assert fts_match("maletas") == '"maletas"'  # language unknown: exact words
    assert fts_match("vuelo cancelado", lang="en") == '"vuelo"* "cancelado"*'  # no English stem: the word
    assert fts_match('"vuelo cancelado" hoy', lang="es") == '"vuelo cancelado" "hoy"'  # a phrase stays exact


def test_query_language_by_function_words_then_the_detector():
    from voice.search.query import query_language

    assert query_language("me perdieron la maleta") == "es"
    assert query_language("cargo no autorizado en mi tarjeta") == "es"
    assert query_language("the bag never arrived") == "en"
    assert query_language("gracias") == "es"
    assert query_language("hotel") is None          # both languages' word: nothing is assumed
    assert query_language("Iberia") is None
    assert query_language("123") is None


def test_snippets_mark_the_stems_and_keep_the_phrase_whole():
    from voice.search.query import MARK_CLOSE as C
    from voice.search.query import MARK_OPEN as O
    from voice.search.query import match_terms, snippet

    found = match_terms('"Envío Express" cancelado', any_term=True, lang="es")
    text = "Pagué el Envío Express y me cancelaron el pedido sin avisar."
    assert snippet(["", text], found) == f"Pagué el {O}Envío Express{C} y me {O}cancelaron{C} el pedido sin avisar."
    long = " ".join(f"w{n}" for n in range(40)) + " cancelación " + " ".join(f"x{n}" for n in range(40))
    cut = snippet([long], found, tokens=8)
    assert cut.startswith("…") and cut.endswith("…") and f"{O}cancelación{C}" in cut and len(cut.split()) <= 10
    assert snippet(["nada que ver"], found) is None
