import json

from django.conf import settings
from django.http import HttpResponse


class ServiceClient:
    is_authenticated = True
    is_active = True


def tenant_and_token(get_response):
    """/<tenant>/scim/v2/…: the tenant is taken off the path; the bearer token must match."""

    def middleware(request):
        parts = request.path_info.split("/", 2)
        if len(parts) < 3 or not parts[1]:
            return HttpResponse(status=404)
        request.scim_tenant = parts[1]
        request.path_info = "/" + parts[2]
        if request.headers.get("Authorization", "") != "Bearer " + settings.SCIMAPP_TOKEN:
            body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "401", "detail": "bad token"}
            return HttpResponse(json.dumps(body), status=401, content_type="application/scim+json")
        request.user = ServiceClient()
        return get_response(request)

    return middleware
