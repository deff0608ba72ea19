"""Themes: what customers talk about, found by clustering the vectors of their
inbound sentences, kept stable across runs (ids and centroids never move on a
re-run; new topics arrive as *proposed*), labelled from c-TF-IDF keywords in es
and en, and curated through a YAML taxonomy file (rename, merge, retire,
accept, split, pin) that is re-applied to every sentence already assigned.

    report = discover(store)                 # first run: active themes; later: proposed ones
    export_taxonomy(store, "themes.yaml")    # edit it
    apply_taxonomy(store, "themes.yaml")     # -> new taxonomy version
    list_themes(store); theme_examples(store, "T001"); interaction_themes(store, iid)
    find_groups(store); list_groups(store)   # one primary group per interaction, over the themes
"""

from .discover import ThemeReport, discover
from .groups import GroupReport, find_groups, generic_theme_ids, group_examples, list_groups
from .read import interaction_themes, list_themes, theme_examples
from .taxonomy import apply_taxonomy, export_taxonomy

__all__ = ["GroupReport", "ThemeReport", "apply_taxonomy", "find_groups", "generic_theme_ids", "group_examples", "list_groups", "discover", "export_taxonomy", "interaction_themes", "list_themes",
           "theme_examples"]
