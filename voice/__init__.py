"""voice: an open-source customer-voice analyzer.

Start with :func:`voice.init` (a new database) or :func:`voice.open` (an existing
one); the returned :class:`voice.Voice` imports customers, ingests emails, calls
and surveys, links them, and reports status.

Names are loaded on first use, so ``import voice.records`` stays light.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "Voice": "api", "RunReport": "api", "Status": "api", "init": "api", "open": "api", "demo": "api",
    "VoiceError": "errors", "InputError": "errors", "StoreError": "errors",
    "Interaction": "records", "Customer": "records", "Identity": "records", "Turn": "records",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'voice' has no attribute {name!r}")
