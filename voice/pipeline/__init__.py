"""Analysis pipelines: steps named in a TOML file, run in batches over the store.

>>> from voice.pipeline import Pipeline, analyze
>>> pipe = Pipeline.load("pipelines/default.toml").build(encoder)
>>> analyze(store, pipe)
"""

from .doc import LABELS, Doc, Mention, Sentence
from .pipeline import DEFAULT_PIPELINE, Pipeline, Step
from .registry import Component, component, make_component, registered_components
from .run import AnalyzeReport, analyze, to_doc, unwrap

__all__ = ["DEFAULT_PIPELINE", "LABELS", "AnalyzeReport", "Component", "Doc", "Mention", "Pipeline", "Sentence",
           "Step", "analyze", "component", "make_component", "registered_components", "to_doc", "unwrap"]
