"""clean.noise.v1: what is not the customer's words is blanked, the text keeps its length."""

import pytest

from voice.clean import NoiseCleaner, mask_noise, noise_spans
from voice.pipeline import Doc


def _kept(text: str) -> str:
    return " ".join(mask_noise(text).split())


@pytest.mark.parametrize("text, expected", [
    # the CFPB's redactions: names, dates, account numbers
    ("On XX/XX/2019 I called XXXX XXXX about my account XXXX-XXXX.", "On I called about my account ."),
    ("I paid on 03/XX/2019 and again on XX/XX/XXXX", "I paid on and again on"),
    ("They charged {$1200.00} twice", "They charged $1200.00 twice"),
    ("I wrote toXXXX onXX/XX/2019 andXXXX2019", "I wrote to on /2019 and 2019"),
    ("Sent to [REDACTED] and [Name], then *** and ████", "Sent to and , then and"),
    ("Se lo di a [dato eliminado] el lunes", "Se lo di a el lunes"),
    # tweets: handles go, a hashtag's word stays
    ("@united thanks for nothing #fail @SouthwestAir!", "thanks for nothing fail !"),
    ("@Iberia_es vuelo cancelado #huelga", "vuelo cancelado huelga"),
    # links and addresses
    ("see https://t.co/abc123?x=1 or www.example.com/help", "see or"),
    ("escribidme a ana.ruiz@correo.es por favor", "escribidme a por favor"),
    ("late &amp; rude crew", "late rude crew"),
])
def test_noise_is_blanked(text, expected):
    masked = mask_noise(text)
    assert len(masked) == len(text)  # offsets into the text as written still hold
    assert " ".join(masked.split()) == expected


@pytest.mark.parametrize("text", [
    "Delivered on 10/12/2019, size XL, order #12345, TAXX fee, XXL shirt",
    "My email to support went unanswered",
    "Pagué 120 € el 3/4/2024 por el pedido 4589-221",
    "C# developer, R&D team",
])
def test_what_a_customer_wrote_stays(text):
    assert mask_noise(text) == text


def test_spans_name_their_kind_and_do_not_overlap():
    spans = noise_spans("@united XXXX https://x.co/XXXX")
    assert [k for _, _, k in spans] == ["handle", "redaction", "url"]
    assert all(b <= c for (_, b, _), (c, _, _) in zip(spans, spans[1:]))


def test_the_component_keeps_the_text_as_written():
    doc = Doc("1", "survey", "@united lost my bag XXXX")
    untouched = Doc("2", "survey", "Todo perfecto")
    NoiseCleaner()([doc, untouched])
    assert doc.extra["text_as_written"] == "@united lost my bag XXXX"
    assert doc.text.split() == ["lost", "my", "bag"] and len(doc.text) == len(doc.extra["text_as_written"])
    assert untouched.text == "Todo perfecto" and "text_as_written" not in untouched.extra
