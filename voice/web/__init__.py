"""The web app: ``voice serve`` for CX teams, support leads and marketers.

A thin adapter over :mod:`voice.api` (and the report, search and themes
packages when they are installed): server-rendered pages, a read-only database,
loopback only unless a token guards it.

>>> from voice.web import create_app, serve
>>> app = create_app("demo/voice.db")            # an ASGI app, e.g. for TestClient
>>> serve("demo/voice.db")                       # http://127.0.0.1:8765
"""

from .app import create_app, serve

__all__ = ["create_app", "serve"]
