"""Hybrid search over the interactions, for support leads.

:func:`search` fuses FTS5 (BM25 over subject and text) with cosine similarity
to the interactions' USE vectors (es and en in one space, so ``entrega
tardía`` finds "the delivery was late") by reciprocal rank, with filters
applied in SQL to both sides. :class:`VectorIndex` keeps the vectors in one
float32 matrix per process and adds new interactions on the next search.
"""

from .filters import Filters
from .hybrid import MODES, Hit, search
from .index import VectorIndex, forget, index_for
from .query import fts_match, terms

__all__ = ["MODES", "Filters", "Hit", "VectorIndex", "forget", "fts_match", "index_for", "search", "terms"]
