"""Hybrid search over the interactions, for support leads.

:func:`search` fuses FTS5 (BM25 over subject and text) with cosine similarity
to the interactions' USE vectors (es and en in one space, so ``entrega
tardía`` finds "the delivery was late") by reciprocal rank, with filters
applied in SQL to both sides. :class:`VectorIndex` keeps the vectors in one
float32 matrix per process and adds new interactions on the next search.
:func:`browse` lists what passes the filters, newest first, and :func:`facet_counts` how the matches
spread over channel, sentiment, language, theme and product.
"""

from .facets import DIMENSIONS, facet_counts
from .filters import Filters
from .hybrid import MODES, Hit, browse, search
from .index import VectorIndex, forget, index_for
from .query import fts_match, terms

__all__ = ["DIMENSIONS", "MODES", "Filters", "Hit", "VectorIndex", "browse", "facet_counts", "forget", "fts_match",
           "index_for", "search", "terms"]
