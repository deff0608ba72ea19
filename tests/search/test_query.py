from voice.search.query import fts_match, marked_html, terms


def test_terms_keep_phrases_and_drop_punctuation():
    assert terms('entrega "Envío Express" * ( tardía') == ["entrega", "Envío Express", "tardía"]
    assert terms('"unbalanced quote') == ["unbalanced", "quote"]
    assert terms("  *  ( ) ^ : ") == []


def test_every_term_is_quoted_so_operators_are_words():
    assert fts_match("AND OR *") == '"AND" "OR"'
    assert fts_match("NEAR(a b)") == '"NEAR(a" "b)"'
    assert fts_match("a b", any_term=True) == '"a" OR "b"'
    assert fts_match("") is None


def test_marked_html_escapes_then_marks():
    assert marked_html("<b>\x02x\x03</b> & 'y'") == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; &#x27;y&#x27;"
