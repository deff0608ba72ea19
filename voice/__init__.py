"""voice: an open-source customer-voice analyzer.

Start with :func:`voice.init` (a new database) or :func:`voice.open` (an existing
one); the returned :class:`voice.Voice` imports customers, ingests emails, calls
and surveys, links them, and reports status.

Names are loaded on first use, so ``import voice.records`` stays light.
"""

import os as _os
from importlib import import_module

# torch's OpenMP threads wait for work by spinning, 300,000 times by default. With another process busy on
# one of two cores, the spinning thread took the core from the one it waited for: the encoder fell to 130
# texts/s and `voice analyze` to 42/s; with 10,000 spins, 367 and 112/s beside the busy process and no loss
# idle (benchmarks/busy_machine.py; OMP_WAIT_POLICY=PASSIVE lost 13% idle). Read when torch loads, so it is
# set here, before any of voice imports torch; a value the user set wins.
_os.environ.setdefault("GOMP_SPINCOUNT", "10000")

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
