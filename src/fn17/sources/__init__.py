"""Data in: connectors to remote sources and importers of files.

* :mod:`fn17.sources.http` — the one HTTP layer (injected ``httpx.Client``, pacing, retries,
  disk cache, offline mode, payload checks);
* :mod:`fn17.sources.jsonstat` — the fast JSON-stat2 reader into observation records;
* :mod:`fn17.sources.pxweb` — SSB's statistics bank, PxWebApi v2;
* :mod:`fn17.sources.klass` — SSB's classifications (municipalities, counties, KOSTRA groups);
* :mod:`fn17.sources.snapshot` — raw responses with a manifest, written by ``fn17 fetch`` and
  read by ``fn17 load``;
* tabular files, recipes, the KS taxonomy and the municipality's own data in their own modules.

Modules are imported by name (``from fn17.sources.pxweb import PxWebClient``); this package
imports none of them, so importing one connector never pulls in the others.
"""

__all__: list[str] = []
