"""The identify step: normalize handles and link interactions to customers."""

from .linker import CONFIDENCE, LinkResult, link, unlinked
from .normalize import handles_in_text, normalize, normalize_email, normalize_phone

__all__ = ["CONFIDENCE", "LinkResult", "handles_in_text", "link", "normalize", "normalize_email",
           "normalize_phone", "unlinked"]
