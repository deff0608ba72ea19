"""voice.intent.fit: the analysis says when the intent taxonomy does not fit the data."""

from tests.helpers import add_analysed
from voice.intent.fit import taxonomy_fit


def _add(store, n, start, sentiment, intents):
    for i in range(start, start + n):
        add_analysed(store, f"i{i}", "2026-10-01T10:00:00", "texto", sentiment=sentiment, intents=intents)


def test_a_catch_all_intent_on_banking_complaints_does_not_fit(store):
    _add(store, 50, 0, "negative", {"billing": 0.9, "complaint": 0.8})
    _add(store, 10, 50, "negative", {"complaint": 0.9})
    fit = taxonomy_fit(store)
    assert fit.fits is False and fit.shares["billing"] > 0.8
    assert any('"billing" is on 83%' in p for p in fit.problems)
    assert "voice train intent --taxonomy" in fit.summary()


def test_negative_messages_left_to_other_do_not_fit(store):
    _add(store, 40, 0, "negative", {})  # no intent row: "other"
    _add(store, 20, 40, "negative", {"complaint": 0.9})
    fit = taxonomy_fit(store)
    assert fit.fits is False and round(fit.negative_other, 2) == 0.67
    assert any("of the 60 negative interactions have no intent" in p for p in fit.problems)


def test_complaints_far_fewer_than_negative_messages_do_not_fit(store):
    _add(store, 10, 0, "negative", {"complaint": 0.9})
    _add(store, 20, 10, "negative", {"suggestion": 0.9})
    _add(store, 20, 30, "negative", {"order_status": 0.9})
    _add(store, 10, 50, "positive", {"praise": 0.9})
    fit = taxonomy_fit(store)
    assert fit.fits is False and fit.problems == ["10 complaints for 50 negative interactions"]


def test_a_taxonomy_that_explains_its_messages_fits(store):
    _add(store, 20, 0, "negative", {"complaint": 0.9})
    _add(store, 15, 20, "negative", {"order_status": 0.9})  # a late order: negative, explained
    _add(store, 15, 35, "positive", {"praise": 0.9})
    _add(store, 10, 50, "neutral", {"price_availability": 0.8})
    fit = taxonomy_fit(store)
    assert fit.fits is True and fit.problems == [] and "fits these 60" in fit.summary()


def test_too_few_interactions_to_tell(store):
    _add(store, 10, 0, "negative", {})
    fit = taxonomy_fit(store)
    assert fit.fits is None and "too few" in fit.summary()
