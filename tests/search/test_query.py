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
    assert fts_match("cargo no autorizado en mi tarjeta") == '"cargo" "no" "autorizado" "en" "mi" "tarjeta"'
    assert fts_match('"no llegó" la caja', any_term=True) == '"no llegó" OR "caja"'  # a phrase stays whole
    assert fts_match("the and of", any_term=True) is None
