"""Customer intelligence: experience (CEM) per touchpoint and customer, product
interest per customer, relationship classes, open loops and the customer
timeline, each stored with the components that explain it.

``score(store)`` re-scores the customers whose history changed; the functions
in :mod:`voice.scoring.lists` read the results back.
"""

from .experience import Experience, ExperienceSettings, score_interactions
from .history import Item, MentionItem, histories, load_items
from .interest import Interest, InterestSettings, score_interest
from .lists import (evidence_summary, experience_by, interested, potentially_profitable, relationships,
                    valuable_at_risk, value_needs)
from .relationship import Relationship, RelationshipSettings, classify, value_bands
from .score import ScoreReport, ScoreSettings, score

__all__ = ["Experience", "ExperienceSettings", "Interest", "InterestSettings", "Item", "MentionItem",
           "Relationship", "RelationshipSettings", "ScoreReport", "ScoreSettings", "classify", "evidence_summary",
           "experience_by", "histories", "interested", "load_items", "potentially_profitable", "relationships",
           "score", "score_interactions", "score_interest", "valuable_at_risk", "value_bands", "value_needs"]
