"""Column mapping files: say which header of your export holds which field.

A small YAML or TOML file, field on the left, your header on the right::

    # surveys.yaml
    nps: "¿Nos recomendaría a un amigo?"
    comment: Observaciones
    date: Fecha de envío

A top-level ``columns:`` table is accepted too, so the file can grow other
sections later. Fields are those the readers know (surveys: respondent_email,
customer_id, respondent_id, date, nps, csat, ces, comment, touchpoint, language;
customers: id, name, email, phone, segment, lifetime_value, consent_<key>); a
field the reader does not know is reported when the file is read.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError


def load_mapping(path: str | Path) -> dict[str, str]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the mapping file {path} ({exc}).",
                          fix="pass a UTF-8 YAML or TOML file of field: header lines.") from exc
    import tomllib

    import yaml

    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:  # both say where
        raise ConfigError(f"the mapping file {path} is not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}",
                          fix="write one 'field: header' per line, e.g.  nps: \"¿Nos recomendaría?\"") from exc
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        data = data["columns"]
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"the mapping file {path} holds no field: header pairs.",
                          fix="write one 'field: header' per line, e.g.  nps: \"¿Nos recomendaría?\"")
    bad = [k for k, v in data.items() if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
    if bad:
        raise ConfigError(f"in {path}, the header for {', '.join(map(str, bad))} is not a plain text value.",
                          fix="quote each header, e.g.  nps: \"Puntuación\"")
    return {str(k).strip(): str(v).strip() for k, v in data.items()}
