"""Candidate phrases from a parsed spaCy Doc.

With POS tags: noun-phrase patterns over the tags (en ``(ADJ|NOUN)* NOUN``; es
``ADJ* NOUN+ ADJ* (ADP DET? NOUN+ ADJ*){0,2}``, so "entrega a domicilio" and
"servicio de atención al cliente" are one phrase), optionally plus the parser's
noun chunks (off by default: they scored lower on Inspec and need the parser), trimmed of determiners, pronouns and stop words at the
edges. Hyphenated compounds ("Web-based") are one unit. Without tags (a blank
pipeline) the fallback is word n-grams that contain no stop word.

Each candidate is keyed by its lower-case lemma phrase; inflected variants
("platform" / "platforms") share a key and keep their most frequent surface.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections import Counter
from dataclasses import dataclass, field

# Prepositions that may join two nouns inside a Spanish keyphrase.
_ES_JOINERS = frozenset({"de", "del", "a", "al", "en", "con", "para", "por", "sin", "sobre", "entre"})
_PATTERNS = {
    "en": re.compile(r"[AN]*N"),
    "es": re.compile(r"A*N+A*(?:PD?N+A*){0,2}"),
}
_HEAD = re.compile(r"A*N+A*")  # the bare noun phrase inside an es match, also a candidate
_EDGE_POS = frozenset({"DET", "PRON", "ADP", "CCONJ", "SCONJ", "PUNCT", "PART", "AUX", "NUM", "SYM", "SPACE", "X"})
_LEMMA_POS = frozenset({"NOUN", "PROPN", "ADJ"})
_WORD = re.compile(r"\w", re.UNICODE)
# a word of a phrase starts with a letter or digit and holds no other marks than these: ":-D", ";)", "lt;3"
# (an emoticon, an HTML entity left in a tweet) are not words, whatever a tagger calls them
_WORDLIKE = re.compile(r"^\w[\w'’.&+/-]*$", re.UNICODE)


@dataclass
class Candidate:
    key: str  # lower-case lemma phrase
    surfaces: Counter = field(default_factory=Counter)
    offsets: list[int] = field(default_factory=list)  # token index of each occurrence
    n_words: int = 1
    starts: set[int] = field(default_factory=set, repr=False)

    @property
    def surface(self) -> str:
        # most frequent; ties go to the first seen (Counter keeps insertion order)
        return self.surfaces.most_common(1)[0][0]

    @property
    def count(self) -> int:
        return len(self.offsets)


def _units(toks: list, lang: str, participles: bool = False) -> list[tuple[int, int, str]]:
    """(first token, last token + 1, class) per word unit; a hyphenated compound
    is one unit, classed by its last part. Classes: N noun, A modifier, P joiner
    (es), D determiner after a joiner (es), O anything else."""
    units: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        j = i
        # glue "x-y-z" written without spaces into one unit
        while (j + 2 < len(toks) and toks[j + 1].text == "-" and not toks[j].whitespace_
               and not toks[j + 1].whitespace_ and _WORD.search(toks[j + 2].text)):
            j += 2
        last = toks[j]
        units.append((i, j + 1, _class(last, lang, compound=j > i, participles=participles)))
        i = j + 1
    return units


def _class(tok, lang: str, compound: bool, participles: bool = False) -> str:
    pos = tok.pos_
    if tok.is_space or not _WORDLIKE.match(tok.text):
        return "O"
    if pos in ("NOUN", "PROPN"):
        return "N"
    if pos == "ADJ" or compound or (participles and tok.tag_ in ("VBN", "VBG")):
        return "A"
    if lang == "es" and pos == "ADP" and tok.lower_ in _ES_JOINERS:
        return "P"
    if lang == "es" and pos == "DET" and tok.lower_ in ("el", "la", "los", "las"):
        return "D"
    return "O"


def _key(tokens, lemmatize=None) -> str:
    parts = []
    for t in tokens:
        lemma = t.lemma_ if t.lemma_ or lemmatize is None else lemmatize(t)
        word = lemma.lower() if t.pos_ in _LEMMA_POS and lemma else t.lower_
        parts.append(word + (" " if t.whitespace_ else ""))
    return "".join(parts).strip()


def _trim(tokens, stop_words) -> list:
    a, b = 0, len(tokens)
    while a < b and (tokens[a].pos_ in _EDGE_POS or tokens[a].lower_ in stop_words or not _WORD.search(tokens[a].text)):
        a += 1
    while b > a and (tokens[b - 1].pos_ in _EDGE_POS or tokens[b - 1].lower_ in stop_words
                     or not _WORD.search(tokens[b - 1].text)):
        b -= 1
    return tokens[a:b]


# Greetings, closings and politeness: in customer messages they are everywhere
# and say nothing about the topic (spaCy tags "Hola" a noun).
SALUTATIONS = frozenset({
    "hola", "buenas", "buen día", "buenos día", "buenos días", "buena tarde", "buenas tarde", "buenas tardes",
    "buena noche", "buenas noche", "buenas noches", "saludo", "saludos", "un saludo", "saludo cordial",
    "saludos cordiales", "gracias", "muchas gracias", "mil gracias", "favor", "por favor", "atentamente",
    "estimado", "estimada", "hello", "hi", "hey", "dear", "day", "good day", "good morning", "morning",
    "good afternoon", "afternoon", "good evening", "evening", "thank", "thanks", "many thanks", "regard",
    "regards", "kind regard", "kind regards", "best regard", "best regards", "cheers", "sir", "madam",
    "team", "hi team", "hello team",
})


def _add(cands: dict[str, Candidate], text: str, tokens, max_words: int, lemmatize=None) -> None:
    if not tokens:
        return
    n_words = sum(1 for t in tokens if t.text != "-")
    if n_words > max_words:
        return
    key = _key(tokens, lemmatize)
    if len(key) < 2 or key in SALUTATIONS or not any(c.isalpha() for c in key):
        return  # too short, a greeting, or a number/code with no word in it ("2019", "$1,200.00")
    surface = text[tokens[0].idx: tokens[-1].idx + len(tokens[-1].text)]
    cand = cands.get(key)
    if cand is None:
        cand = cands[key] = Candidate(key=key, n_words=n_words)
    if tokens[0].i not in cand.starts:  # a noun chunk often repeats a pattern match
        cand.starts.add(tokens[0].i)
        cand.offsets.append(tokens[0].i)
        cand.surfaces[surface] += 1


def tagged_candidates(sdoc, lang: str, *, max_words: int = 5, noun_chunks: bool = True,
                      participles: bool = False, lemmatize=None, text: str | None = None) -> dict[str, Candidate]:
    """Candidates of a Doc parsed by a pipeline with POS tags. ``participles``:
    English -ed/-ing forms may modify a noun ("distributed systems").
    ``lemmatize`` (token -> lemma) is called for tokens with no lemma yet, so a
    pipeline can skip its lemmatizer and lemmatize only candidate words."""
    stop_words = stop_words_for(sdoc.lang_)
    pattern = _PATTERNS.get(lang, _PATTERNS["en"])
    toks = list(sdoc)  # one pass over the tokens (each pass makes a Token object per token)
    units = _units(toks, lang, participles)
    classes = "".join(u[2] for u in units)
    cands: dict[str, Candidate] = {}
    text = sdoc.text if text is None else text  # ``text``: the parsed text, if the caller has it (Doc.text re-joins)
    for m in pattern.finditer(classes):
        a, b = units[m.start()][0], units[m.end() - 1][1]
        _add(cands, text, _trim(toks[a:b], stop_words), max_words, lemmatize)
        if "P" in m.group():  # also the bare noun phrase in front of the joiner
            h = _HEAD.match(classes, m.start())
            if h:
                _add(cands, text, _trim(toks[units[h.start()][0]: units[h.end() - 1][1]], stop_words), max_words,
                     lemmatize)
    if noun_chunks and sdoc.has_annotation("DEP"):
        try:
            chunks = list(sdoc.noun_chunks)
        except (NotImplementedError, ValueError):  # no noun-chunk syntax for this language
            chunks = []
        for chunk in chunks:
            _add(cands, text, _trim(list(chunk), stop_words), max_words, lemmatize)
    return cands


def ngram_candidates(sdoc, *, max_words: int = 3) -> dict[str, Candidate]:
    """Fallback without POS tags: n-grams of word tokens with no stop word inside."""
    stop_words = stop_words_for(sdoc.lang_)
    cands: dict[str, Candidate] = {}
    toks = list(sdoc)
    text = sdoc.text
    ok = [bool(_WORD.search(t.text)) and t.lower_ not in stop_words and not t.like_num and not t.is_space
          for t in toks]
    for i in range(len(toks)):
        for n in range(1, max_words + 1):
            if i + n > len(toks) or not ok[i + n - 1]:
                break
            span = toks[i:i + n]
            key = " ".join(t.lower_ for t in span)
            if key in SALUTATIONS:
                continue
            surface = text[span[0].idx: span[-1].idx + len(span[-1].text)]
            cand = cands.get(key)
            if cand is None:
                cand = cands[key] = Candidate(key=key, n_words=n)
            cand.offsets.append(i)
            cand.surfaces[surface] += 1
    return cands


@lru_cache(maxsize=32)
def stop_words_for(lang: str) -> frozenset[str]:
    from spacy.util import get_lang_class

    try:
        return frozenset(w.lower() for w in get_lang_class(lang).Defaults.stop_words)
    except ImportError:  # a language code spaCy does not know: no stop list
        return frozenset()
