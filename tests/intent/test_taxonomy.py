"""Loading and validating intent taxonomy files."""

import warnings
from pathlib import Path

import pytest

from voice.errors import ConfigError
from voice.intent.taxonomy import FewExamplesWarning, load_taxonomy

DEFAULT = Path(__file__).resolve().parents[2] / "models" / "intents" / "default.yaml"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "tax.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def intent_yaml(iid: str, n: int, also: str = "") -> str:
    lines = "\n".join(f"        - \"{iid} example {i}\"" for i in range(n))
    return f"""  - id: {iid}
    name: {{es: {iid} es, en: {iid} en}}
    description: about {iid}
    examples:
      en:
{lines}
"""


def test_default_taxonomy_has_the_product_intents_with_8_es_and_8_en_each():
    tax = load_taxonomy(DEFAULT, strict=True)
    assert set(tax.ids) == {"complaint", "cancel_churn", "purchase_interest", "price_availability", "billing",
                            "order_status", "technical_problem", "refund_return", "account_change", "praise",
                            "suggestion"}
    for intent in tax.intents:
        assert len(intent.examples["es"]) >= 8, intent.id
        assert len(intent.examples["en"]) >= 8, intent.id
        assert set(intent.name) == {"es", "en"}
    texts, labels, langs = tax.training_data()
    assert len(texts) == len(set(texts))
    assert any(sorted(row) == ["complaint", "refund_return"] for row in labels)  # multi-label examples
    assert sum(1 for row in labels if not row) >= 20  # out-of-scope negatives
    assert set(langs) == {"es", "en"}


def test_bad_yaml_names_the_line_and_the_fix(tmp_path):
    path = write(tmp_path, "intents:\n  - id: a\n   name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_taxonomy(path)
    assert "not valid YAML at line" in str(err.value)
    assert "Fix:" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the taxonomy file"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_no_intents_list(tmp_path):
    with pytest.raises(ConfigError, match="non-empty 'intents:' list"):
        load_taxonomy(write(tmp_path, "name: x\n"))


def test_missing_examples_names_the_intent(tmp_path):
    text = "intents:\n" + intent_yaml("billing", 8) + "  - id: praise\n    name: Praise\n    description: thanks\n"
    with pytest.raises(ConfigError) as err:
        load_taxonomy(write(tmp_path, text))
    assert "intent 'praise' has no examples" in str(err.value)
    assert "add 'examples:'" in err.value.fix


def test_duplicate_ids(tmp_path):
    text = "intents:\n" + intent_yaml("billing", 8) + intent_yaml("billing", 8)
    with pytest.raises(ConfigError) as err:
        load_taxonomy(write(tmp_path, text))
    assert "'billing' is used twice (entries 1 and 2)" in str(err.value)
    assert "merge" in err.value.fix


def test_one_example_is_an_error_and_few_is_a_warning_or_error_when_strict(tmp_path):
    one = write(tmp_path, "intents:\n" + intent_yaml("billing", 8) + intent_yaml("praise", 1))
    with pytest.raises(ConfigError, match="intent 'praise' has 1 example"):
        load_taxonomy(one)
    few = write(tmp_path, "intents:\n" + intent_yaml("billing", 8) + intent_yaml("praise", 5))
    with pytest.warns(FewExamplesWarning, match="intent 'praise' has only 5 examples"):
        tax = load_taxonomy(few)
    assert len(tax.intents[1].texts) == 5
    with pytest.raises(ConfigError, match="add 3 or more examples for 'praise'"):
        load_taxonomy(few, strict=True)
    enough = write(tmp_path, "intents:\n" + intent_yaml("billing", 8) + intent_yaml("praise", 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_taxonomy(enough)


def test_bad_id_reserved_other_and_unknown_also(tmp_path):
    with pytest.raises(ConfigError, match="snake_case"):
        load_taxonomy(write(tmp_path, "intents:\n" + intent_yaml("billing", 8) + intent_yaml("Bad-Id", 8)))
    with pytest.raises(ConfigError, match="'other' is reserved"):
        load_taxonomy(write(tmp_path, "intents:\n" + intent_yaml("billing", 8) + intent_yaml("other", 8)))
    text = "intents:\n" + intent_yaml("billing", 8) + intent_yaml("praise", 8) + \
        "        - {text: \"thanks but you charged me twice\", also: [billinq]}\n"
    with pytest.raises(ConfigError) as err:
        load_taxonomy(write(tmp_path, text))
    assert "unknown intent(s) ['billinq']" in str(err.value) and "billing" in err.value.fix


def test_plain_list_examples_and_multi_label_by_repetition(tmp_path):
    text = """intents:
  - id: complaint
    name: Complaint
    description: unhappy
    examples: ["bad", "awful", "the TV broke and I want my money back"]
  - id: refund_return
    name: Refund
    description: money back
    examples: ["refund please", "return it", "the TV broke and I want my money back"]
"""
    with pytest.warns(FewExamplesWarning):
        tax = load_taxonomy(write(tmp_path, text))
    texts, labels, _ = tax.training_data()
    assert labels[texts.index("the TV broke and I want my money back")] == ["complaint", "refund_return"]
    assert len(texts) == 5


@pytest.mark.parametrize("industry", ["banking", "telecom", "travel", "retail"])
def test_starter_taxonomies_load_strictly_with_10_es_and_10_en_per_intent(industry):
    path = Path(__file__).resolve().parents[2] / "models" / "intents" / "starters" / f"{industry}.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tax = load_taxonomy(path, strict=True)
    assert 12 <= len(tax.intents) <= 16
    for intent in tax.intents:
        assert len(intent.examples["es"]) >= 10 and len(intent.examples["en"]) >= 10, intent.id
        assert set(intent.name) == {"es", "en"} and intent.description
    texts, labels, langs = tax.training_data()
    assert len(texts) == len(set(texts)) and sum(1 for row in labels if not row) >= 20
    assert any(len(row) > 1 for row in labels)  # multi-label examples
