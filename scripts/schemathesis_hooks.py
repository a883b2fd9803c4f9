"""Schemathesis hooks for scripts/schemathesis.sh: every URL the hub would call on a tenant's
behalf is pointed at this machine's loopback, so fuzzing never sends a packet anywhere else."""
import os

import schemathesis

SANDBOX = os.environ.get("ROLLCALL_FUZZ_SANDBOX_URL", "http://127.0.0.1:9") + "/v1"
NOWHERE = "http://127.0.0.1:9/nothing-listens-here"
URL_FIELDS = {"base_url": SANDBOX, "url": NOWHERE}


def _loopback(value):
    if isinstance(value, dict):
        for key, item in list(value.items()):
            if key in URL_FIELDS:
                value[key] = URL_FIELDS[key] if key != "base_url" or "scim" not in value else NOWHERE
            else:
                _loopback(item)
            if key == "scim" and isinstance(item, dict) and "base_url" in item:
                item["base_url"] = NOWHERE
    elif isinstance(value, list):
        for item in value:
            _loopback(item)
    return value


@schemathesis.hook
def map_body(ctx, body):
    body = _loopback(body)
    # A source without a base_url is Personio's own API: always the sandbox here.
    operation = getattr(ctx, "operation", None)
    if isinstance(body, dict) and operation is not None and operation.path == "/api/v1/sources" \
            and operation.method.lower() == "post":
        body["base_url"] = SANDBOX
    return body
