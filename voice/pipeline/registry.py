"""Components by stable, versioned name, as pipelines name them.

A component is a small object with one batched method, ``__call__(docs) ->
docs``: it reads what earlier steps put on each Doc and fills its own fields,
for the whole batch at once (one model call per batch, never one per doc).
Factories take the step's settings from the pipeline file as keyword
arguments, plus ``encoder`` (the shared, cached encoder) when they ask for it::

    @component("sentiment.head.v1")
    def make_sentiment(encoder, model="models/sentiment"):
        return SentimentHead.load(model, encoder)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import ConfigError
from .doc import Doc


class Component(Protocol):
    """``name`` is set to the registered name ("sentiment.head.v1"). A component
    that loads a trained model may also expose ``model_info`` (a dict: the
    folder, its training date, metrics) to be kept with each analysis run."""

    name: str

    def __call__(self, docs: list[Doc]) -> list[Doc]: ...


_COMPONENTS: dict[str, Callable[..., Component]] = {}


def component(name: str) -> Callable[[Callable[..., Component]], Callable[..., Component]]:
    if not name.rsplit(".", 1)[-1].startswith("v"):
        raise ValueError(f"component name {name!r} needs a version suffix such as '.v1'")

    def deco(factory: Callable[..., Component]) -> Callable[..., Component]:
        if name in _COMPONENTS:
            raise ValueError(f"component {name!r} is registered twice")
        _COMPONENTS[name] = factory
        return factory

    return deco


def registered_components() -> list[str]:
    _import_builtin()
    return sorted(_COMPONENTS)


def make_component(name: str, settings: dict[str, Any], **shared: Any) -> Component:
    """Build a registered component with the step's settings; shared objects
    (``encoder``) are passed only to factories that name them."""
    _import_builtin()
    if name not in _COMPONENTS:
        raise ConfigError(f"no component is registered as {name!r}.",
                          fix=f"use one of: {', '.join(sorted(_COMPONENTS))}.")
    factory = _COMPONENTS[name]
    params = inspect.signature(factory).parameters
    kwargs = {k: v for k, v in shared.items() if k in params}
    unknown = [k for k in settings if k not in params]
    if unknown:
        raise ConfigError(f"component {name!r} has no setting {', '.join(map(repr, unknown))}.",
                          fix=f"its settings are: {', '.join(p for p in params if p not in shared) or 'none'}.")
    built = factory(**kwargs, **settings)
    built.name = name
    return built


def _import_builtin() -> None:
    """Import the modules whose components ship with voice (they register on import)."""
    from importlib import import_module

    for module in BUILTIN_MODULES:
        try:
            import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a missing dependency inside a module that exists
                raise


BUILTIN_MODULES = (
    "voice.clean",
    "voice.language",
    "voice.sentences",
    "voice.sentiment",
    "voice.intent",
    "voice.keyphrases",
    "voice.products",
)
