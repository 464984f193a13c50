"""Read-only web UI over framewatch's history: pages, an Atom feed and a JSON API."""
