"""A pipeline, read from a TOML file: the encoder, the steps (registered
components with their settings) and, per channel, which steps run in what order.
See ``pipelines/default.toml``.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._resources import resource, shipped_path
from ..encode._base import attribute_of
from ..errors import ConfigError
from .doc import Doc
from .registry import Component, make_component

DEFAULT_PIPELINE = resource("pipelines", "default.toml")
# Settings that name files: a relative path is looked up from the working
# directory first, then among the files voice ships (models/, examples/: voice/_resources.py).
PATH_SETTINGS = {"model", "catalog", "taxonomy"}


@dataclass
class Step:
    name: str
    component: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pipeline:
    name: str
    version: str
    encoder: str
    steps: dict[str, Step]
    channels: dict[str, list[str]]
    source: str = "<memory>"
    timings: dict[str, float] = field(default_factory=dict, repr=False)  # seconds per step, summed over calls
    encoder_name: str | None = None
    encoder_precision: str | None = None
    encoder_spec: str | None = None  # the name or folder the encoder was loaded from (None: an object was given)
    _built: dict[str, Component] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def __getstate__(self) -> dict[str, Any]:
        """Pickled unbuilt (what worker processes receive): each builds its own components."""
        state = dict(self.__dict__)
        state["_built"], state["timings"] = {}, {}
        return state

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Pipeline":
        path = Path(path) if path else DEFAULT_PIPELINE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the pipeline file {path} ({exc.strerror or exc}).",
                              fix="pass an existing file with --pipeline, or leave it out for the default.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"the pipeline file {path} is not valid TOML: {exc}.",
                              fix="compare it with pipelines/default.toml.") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<memory>") -> "Pipeline":
        head = data.get("pipeline", {})
        steps: dict[str, Step] = {}
        for i, raw in enumerate(data.get("steps", []), 1):
            raw = dict(raw)
            name, comp = raw.pop("name", None), raw.pop("component", None)
            if not name or not comp:
                raise ConfigError(f"{source}: step {i} needs both 'name' and 'component'.",
                                  fix='write e.g.  [[steps]]\\nname = "sentiment"\\ncomponent = "sentiment.head.v1"')
            if name in steps:
                raise ConfigError(f"{source}: two steps are named {name!r}.", fix="give each step its own name.")
            steps[name] = Step(name, comp, raw)
        channels = {ch: list(names) for ch, names in data.get("channels", {}).items()}
        if not channels:
            channels = {ch: list(steps) for ch in ("email", "call", "survey", "chat")}
        for ch, names in channels.items():
            unknown = [n for n in names if n not in steps]
            if unknown:
                raise ConfigError(f"{source}: channel {ch!r} runs steps that are not defined: {', '.join(unknown)}.",
                                  fix=f"define them under [[steps]], or use: {', '.join(steps)}.")
        return cls(name=str(head.get("name", "custom")), version=str(head.get("version", "0")),
                   encoder=str(data.get("encoder", {}).get("name", "usem3")), steps=steps, channels=channels,
                   source=source)

    def build(self, encoder: Any) -> "Pipeline":
        """Make every step's component once, sharing ``encoder`` (a name or an object)."""
        self._built = {name: make_component(step.component, _resolve_paths(step.settings), encoder=encoder)
                       for name, step in self.steps.items()}
        self.encoder_name = getattr(encoder, "name", None)
        self.encoder_precision = attribute_of(encoder, "precision")  # bf16 or fp32 where the encoder says
        return self

    def warm_up(self, langs: tuple[str, ...] = ("en", "es")) -> "Pipeline":
        """Load now what the steps would load on their first batch (spaCy pipelines per language), so
        that the first batch is not slower than the rest: a server, a worker or a benchmark calls it
        once after :meth:`build`. Encodes nothing and writes nothing."""
        for step in self._built.values():
            warm = getattr(step, "warm_up", None)
            if warm is not None:
                warm(langs)
        return self

    def components(self) -> dict[str, Any]:
        """Provenance written with every run: the encoder (name and version) and,
        per step, the component, its settings and the model it loaded, if any."""
        out: dict[str, Any] = {"encoder": self.encoder_name or self.encoder}
        if self.encoder_precision:
            out["encoder_precision"] = self.encoder_precision
        for name, step in self.steps.items():
            built = self._built.get(name)
            model = getattr(built, "model_info", None)
            out[name] = {"component": step.component, **step.settings, **({"model_info": model} if model else {})}
        return out

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        """Run each channel's steps over that channel's docs, in batch."""
        if not self._built:
            raise ConfigError("the pipeline has not been built.", fix="call pipeline.build(encoder) first.")
        by_channel: dict[str, list[Doc]] = {}
        for doc in docs:
            by_channel.setdefault(doc.channel, []).append(doc)
        for channel, group in by_channel.items():
            for step in self.channels.get(channel, []):
                t = time.perf_counter()
                group = self._built[step](group)
                self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - t
        return docs


def _resolve_paths(settings: dict[str, Any]) -> dict[str, Any]:
    out = dict(settings)
    for key in PATH_SETTINGS & out.keys():
        value = Path(str(out[key]))
        if not value.is_absolute() and not value.exists() and shipped_path(value) is not None:
            out[key] = str(shipped_path(value))  # "models/sentiment": the shipped head, wherever voice is
    return out


def sync_catalog(pipe: Pipeline, store: Any) -> None:
    """Steps that read the database's product catalog get its current version (loaded only when it
    changed since the step last read it)."""
    from ..products.store import catalog_version, load_catalog

    version = None
    for step in pipe._built.values():
        if getattr(step, "from_store", False):
            version = catalog_version(store) if version is None else version
            if getattr(step, "store_version", None) != version:
                step.use_catalog(load_catalog(store))
                step.store_version = version
