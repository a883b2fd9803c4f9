"""A second, independently written SCIM 2.0 server for Rollcall's tests: django-scim2 (PyPI) with
its own adapters, unchanged, in a minimal Django project. Every tenant (the first path segment) is a
directory of its own, so each test starts empty: http://127.0.0.1:PORT/<tenant>/scim/v2.
Started by scripts/start-scim.sh."""
