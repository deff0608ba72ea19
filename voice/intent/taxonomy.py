"""Intent taxonomies: the YAML file a user writes, loaded and checked at the boundary.

The file format is documented at the top of ``models/intents/default.yaml``. In short::

    version: 1
    name: my-shop
    intents:
      - id: refund_return
        name: {es: Devolución, en: Refund or return}
        description: The customer wants money back or to return a product.
        examples:
          es: ["Quiero devolver la freidora", ...]
          en: ["I want to return the air fryer", ...]
    out_of_scope:            # optional negatives for every intent
      en: ["Merry Christmas to the team", ...]

Policy on few examples: an intent with fewer than :data:`MIN_EXAMPLES` (2) examples cannot be trained
and is a :class:`~voice.errors.ConfigError`; one with fewer than :data:`ADVISED_EXAMPLES` (8) trains
but raises a :class:`FewExamplesWarning` (an error with ``strict=True``), because measured few-shot
accuracy falls quickly below 8 examples per intent.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

MIN_EXAMPLES = 2
ADVISED_EXAMPLES = 8
OTHER = "other"  # the reserved label for texts that match no intent
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class FewExamplesWarning(UserWarning):
    """An intent has fewer examples than advised; it trains, but predictions for it are unreliable."""


@dataclass
class Intent:
    id: str
    name: dict[str, str]
    description: str
    examples: dict[str, list[str]]  # language ("any" for a plain list) -> texts
    also: dict[str, list[str]] = field(default_factory=dict)  # text -> other intent ids it belongs to

    @property
    def texts(self) -> list[str]:
        return [t for texts in self.examples.values() for t in texts]


@dataclass
class Taxonomy:
    name: str
    intents: list[Intent]
    out_of_scope: dict[str, list[str]] = field(default_factory=dict)
    source: str | None = None

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.intents]

    def training_data(self) -> tuple[list[str], list[list[str]], list[str]]:
        """(texts, labels per text, language per text). A text written under several intents, or given
        with ``also``, appears once with all its labels; out-of-scope texts have no labels."""
        labels: dict[str, list[str]] = {}
        langs: dict[str, str] = {}
        for intent in self.intents:
            for lang, texts in intent.examples.items():
                for text in texts:
                    for label in [intent.id, *intent.also.get(text, [])]:
                        if label not in labels.setdefault(text, []):
                            labels[text].append(label)
                    langs.setdefault(text, lang)
        for lang, texts in self.out_of_scope.items():
            for text in texts:
                if text in labels:
                    raise ConfigError(f"{self.source or 'taxonomy'}: {text!r} is both an example of "
                                      f"{labels[text]} and out_of_scope.",
                                      fix="remove it from one of the two.")
                labels[text] = []
                langs[text] = lang
        texts = list(labels)
        return texts, [labels[t] for t in texts], [langs[t] for t in texts]


def load_taxonomy(path: str | Path, *, strict: bool = False) -> Taxonomy:
    """Read and validate a taxonomy file. Raises ConfigError naming the intent and the fix."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the taxonomy file {str(path)!r} ({exc.strerror or exc}).",
                          fix="give the path of a YAML taxonomy, e.g. models/intents/default.yaml.") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where} ({getattr(exc, 'problem', None) or exc}).",
                          fix="check indentation and quote texts that contain ': ' or start with "
                              "special characters; see the format at the top of "
                              "models/intents/default.yaml.") from exc
    return parse_taxonomy(data, source=str(path), strict=strict)


def parse_taxonomy(data: Any, *, source: str = "taxonomy", strict: bool = False) -> Taxonomy:
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list) or not data["intents"]:
        raise ConfigError(f"{source}: a taxonomy needs a non-empty 'intents:' list at the top level.",
                          fix="start from models/intents/default.yaml and keep its layout.")
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError(f"{source}: taxonomy format version {version!r} is not known.", fix="use 'version: 1'.")
    intents: list[Intent] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(data["intents"], 1):
        intent = _parse_intent(item, n, source)
        if intent.id in seen:
            raise ConfigError(f"{source}: intent id {intent.id!r} is used twice (entries {seen[intent.id]} and {n}).",
                              fix="give each intent its own id, or merge the two entries' examples.")
        seen[intent.id] = n
        intents.append(intent)
    if len(intents) < 2:
        raise ConfigError(f"{source}: only one intent ({intents[0].id!r}); a classifier needs at least two.",
                          fix="add another intent (texts that fit no intent get 'other' by themselves).")
    for intent in intents:
        for text, others in intent.also.items():
            unknown = [o for o in others if o not in seen]
            if unknown:
                raise ConfigError(f"{source}: intent {intent.id!r}: example {text[:60]!r} names unknown "
                                  f"intent(s) {unknown} in 'also'.", fix=f"use ids from: {', '.join(seen)}.")
        count = len(set(intent.texts))
        if count < MIN_EXAMPLES:
            raise ConfigError(f"{source}: intent {intent.id!r} has {count} example(s); at least {MIN_EXAMPLES} "
                              f"are needed to train and {ADVISED_EXAMPLES} are advised.",
                              fix=f"add examples under 'examples:' for {intent.id!r}, written as customers write.")
        if count < ADVISED_EXAMPLES:
            message = (f"{source}: intent {intent.id!r} has only {count} examples; {ADVISED_EXAMPLES} or more "
                       f"are advised (fewer give unreliable predictions for it).")
            fix = f"add {ADVISED_EXAMPLES - count} or more examples for {intent.id!r}."
            if strict:
                raise ConfigError(message, fix=fix)
            warnings.warn(f"{message} Fix: {fix}", FewExamplesWarning, stacklevel=3)
    out_of_scope = _parse_examples(data.get("out_of_scope") or {}, "out_of_scope", source)[0]
    return Taxonomy(name=str(data.get("name") or Path(source).stem), intents=intents,
                    out_of_scope=out_of_scope, source=source)


def _parse_intent(item: Any, n: int, source: str) -> Intent:
    if not isinstance(item, dict):
        raise ConfigError(f"{source}: intents entry {n} is not a mapping.",
                          fix="write each intent as '- id: ...' with name, description and examples under it.")
    iid = item.get("id")
    label = f"intent {iid!r}" if iid else f"intents entry {n}"
    if not isinstance(iid, str) or not _ID.match(iid):
        raise ConfigError(f"{source}: {label} needs an 'id' in snake_case (a-z, 0-9, _).",
                          fix="e.g. 'id: refund_return'.")
    if iid == OTHER:
        raise ConfigError(f"{source}: the id 'other' is reserved for texts that match no intent.",
                          fix="rename the intent, or move its texts to 'out_of_scope:'.")
    name = item.get("name")
    if isinstance(name, str):
        name = {"any": name}
    if not isinstance(name, dict) or not name or not all(isinstance(v, str) and v.strip() for v in name.values()):
        raise ConfigError(f"{source}: {label} needs a 'name' (a text, or one per language).",
                          fix="e.g. 'name: {es: Devolución, en: Refund}'.")
    description = item.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ConfigError(f"{source}: {label} needs a 'description'.",
                          fix="say in one sentence what belongs to this intent and what does not.")
    if "examples" not in item or not item["examples"]:
        raise ConfigError(f"{source}: {label} has no examples.",
                          fix=f"add 'examples:' with at least {ADVISED_EXAMPLES} texts per language, "
                              "as customers write them.")
    examples, also = _parse_examples(item["examples"], label, source)
    return Intent(id=iid, name={str(k): v.strip() for k, v in name.items()}, description=description.strip(),
                  examples=examples, also=also)


def _parse_examples(value: Any, label: str, source: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    groups = {"any": value} if isinstance(value, list) else value
    if not isinstance(groups, dict):
        raise ConfigError(f"{source}: {label}: examples must be a list of texts or a mapping language -> list.",
                          fix="e.g. 'examples: {es: [...], en: [...]}'.")
    examples: dict[str, list[str]] = {}
    also: dict[str, list[str]] = {}
    for lang, texts in groups.items():
        if not isinstance(texts, list):
            raise ConfigError(f"{source}: {label}: examples for {lang!r} must be a list of texts.",
                              fix=f"write them as '{lang}:' followed by '- text' lines.")
        clean: list[str] = []
        for t in texts:
            others: list[str] = []
            if isinstance(t, dict):
                others = t.get("also") or []
                t = t.get("text")
                if isinstance(others, str):
                    others = [others]
            if not isinstance(t, str) or not t.strip():
                raise ConfigError(f"{source}: {label}: an example for {lang!r} is empty or not a text ({t!r}).",
                                  fix="quote each example as a string; give multi-label ones as "
                                      "{text: '...', also: [intent_id]}.")
            t = t.strip()
            if t not in clean:
                clean.append(t)
            if others:
                also[t] = [str(o) for o in others]
        examples[str(lang)] = clean
    return examples, also
