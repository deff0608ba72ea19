import pytest

from voice.errors import ConfigError
from voice.ingest.mapping import load_mapping


def test_yaml_and_toml_and_a_columns_section(tmp_path):
    (tmp_path / "m.yaml").write_text('nps: "¿Nos recomendaría?"\ncomment: Observaciones\n', encoding="utf-8")
    (tmp_path / "m.toml").write_text('[columns]\nnps = "Puntuación"\n', encoding="utf-8")
    assert load_mapping(tmp_path / "m.yaml") == {"nps": "¿Nos recomendaría?", "comment": "Observaciones"}
    assert load_mapping(tmp_path / "m.toml") == {"nps": "Puntuación"}


@pytest.mark.parametrize("text, says", [
    ("nps: [1, 2]\n", "not a plain text value"),
    ("", "no field: header pairs"),
    ("nps: 'open\n", "not valid yaml"),
])
def test_bad_mapping_files_say_what_and_how(tmp_path, text, says):
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_mapping(tmp_path / "m.yaml")
    assert says in str(err.value) and err.value.fix
