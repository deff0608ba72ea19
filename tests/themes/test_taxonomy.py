import pytest
import yaml

from voice.errors import ConfigError
from voice.themes import (
    apply_taxonomy,
    discover,
    export_taxonomy,
    interaction_themes,
    list_themes,
)

from .conftest import add_sentences


def edit(store, tmp_path, change):
    path = export_taxonomy(store, tmp_path / "themes.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_id = {t["id"]: t for t in doc["themes"]}
    change(by_id)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def versions(store):
    return {r[0] for r in store.db.execute("select distinct version from theme_assignments")}


@pytest.fixture
def found(two_topics):
    discover(two_topics)
    return two_topics, interaction_themes(two_topics, "d0")[0], interaction_themes(two_topics, "w0")[0]


def test_export_lists_every_theme_with_examples(found, tmp_path):
    store, delivery, _ = found
    doc = yaml.safe_load(export_taxonomy(store, tmp_path / "t.yaml").read_text(encoding="utf-8"))
    assert doc["version"] == 1
    entry = next(t for t in doc["themes"] if t["id"] == delivery)
    assert entry["size"] == 6 and entry["status"] == "active" and len(entry["examples"]) == 3
    assert entry["keyphrases"] and entry["pinned"] == []


def test_rename_bumps_the_version_and_restamps_history(found, tmp_path):
    store, delivery, _ = found
    path = edit(store, tmp_path, lambda t: t[delivery].update(name="Entregas express tarde"))
    assert apply_taxonomy(store, path) == 2
    assert versions(store) == {2}
    names = {t["id"]: t["name"] for t in list_themes(store)}
    assert names[delivery] == "Entregas express tarde"
    assert interaction_themes(store, "d3") == [delivery]


def test_merge_moves_every_sentence_to_the_target(found, tmp_path):
    store, delivery, washer = found
    apply_taxonomy(store, edit(store, tmp_path, lambda t: t[washer].update(merge_into=delivery)))
    assert [t["id"] for t in list_themes(store)] == [delivery]
    assert list_themes(store)[0]["sentences"] == 12
    assert store.db.execute("select status, merged_into from themes where id = ?", [washer]).fetchone() == \
        ("merged", delivery)


def test_retire_leaves_its_sentences_without_a_theme(found, tmp_path):
    store, delivery, washer = found
    apply_taxonomy(store, edit(store, tmp_path, lambda t: t[washer].update(status="retired")))
    assert interaction_themes(store, "w1") == []
    assert [t["id"] for t in list_themes(store)] == [delivery]
    assert [t["id"] for t in list_themes(store, include=("retired",))] == [washer]


def test_pin_puts_a_sentence_in_a_theme_and_pulls_similar_ones(found, tmp_path):
    store, _, washer = found
    add_sentences(store, "x1", [("es", "El frigorífico hace un ruido muy fuerte por la noche.")])
    add_sentences(store, "x2", [("en", "The fridge makes a very loud noise at night.")])
    discover(store)
    pin = "El frigorífico hace un ruido muy fuerte por la noche."
    apply_taxonomy(store, edit(store, tmp_path, lambda t: t[washer].update(pinned=[pin])))
    assert interaction_themes(store, "x1") == [washer]
    assert interaction_themes(store, "x2") == [washer]  # pulled by the pinned sentence
    assert store.db.execute("select similarity from theme_assignments where interaction_id = 'x1'").fetchone()[0] == 1.0


def test_split_seeds_new_themes_from_examples(found, tmp_path):
    store, _, washer = found
    parts = [{"name": "Lavadora rota al llegar", "examples": ["The washing machine arrived broken and does not work."]},
             {"name": "Ruido y fugas", "examples": ["My new washing machine makes a horrible noise and leaks water."]}]
    apply_taxonomy(store, edit(store, tmp_path, lambda t: t[washer].update(split=parts)))
    themes = {t["name"]: t["id"] for t in list_themes(store)}
    assert themes["Lavadora rota al llegar"] == "T003" and themes["Ruido y fugas"] == "T004"
    assert interaction_themes(store, "w1") == ["T003"]
    assert interaction_themes(store, "w3") == ["T004"]
    assert interaction_themes(store, "w2") == ["T004"]  # "hace un ruido horrible y pierde agua"
    assert store.db.execute("select status from themes where id = ?", [washer]).fetchone()[0] == "retired"


def test_accepting_a_proposed_theme(found, tmp_path):
    store, *_ = found
    store.db.execute("update themes set status = 'proposed' where id = 'T002'")
    apply_taxonomy(store, edit(store, tmp_path, lambda t: t["T002"].update(status="active")))
    assert store.db.execute("select status from themes where id = 'T002'").fetchone()[0] == "active"


@pytest.mark.parametrize("change, words", [
    (lambda t: t["T001"].update(merge_into="T999"), ["T001", "merge_into", "T999"]),
    (lambda t: t["T001"].update(status="gone"), ["T001", "status", "gone"]),
    (lambda t: t["T002"].update(split=[{"name": "x"}]), ["T002", "split"]),
    (lambda t: t["T001"].update(pinned="one sentence"), ["T001", "pinned"]),
    (lambda t: t["T001"].update(id="T077"), ["T077", "no such theme"]),
    (lambda t: (t["T001"].update(merge_into="T002"), t["T002"].update(status="retired")), ["T001", "T002"]),
])
def test_a_broken_file_names_the_theme_and_field(found, tmp_path, change, words):
    store, *_ = found
    path = edit(store, tmp_path, change)
    with pytest.raises(ConfigError) as err:
        apply_taxonomy(store, path)
    assert all(w in str(err.value) for w in words) and err.value.fix
    assert versions(store) == {1}  # nothing applied


def test_not_yaml_is_a_config_error(found, tmp_path):
    store, *_ = found
    path = tmp_path / "bad.yaml"
    path.write_text("themes: [\n  - id: T001\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        apply_taxonomy(store, path)
