"""Products: the catalog (:class:`Catalog`) and the mention matcher
(``products.catalog.v1``: exact names, aliases, plurals and typos, with spans)."""

from .catalog import Catalog, Product
from .matcher import ProductMatcher, make_products

__all__ = ["Catalog", "Product", "ProductMatcher", "make_products"]
