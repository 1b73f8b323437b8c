"""The web application: FastAPI app factory, server-rendered pages with ``.json`` and
``.csv`` twins, static assets shipped with the package (no CDN)."""
