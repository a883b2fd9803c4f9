from django_scim.adapters import SCIMUser


class TenantUser(SCIMUser):
    """django-scim2's user adapter as it ships; a new user belongs to the request's tenant."""

    def from_dict(self, d):
        super().from_dict(d)
        if not self.obj.tenant:
            self.obj.tenant = self.request.scim_tenant


def tenant_filter(model):
    def extra(request, *args, **kwargs):
        return {"tenant": request.scim_tenant}

    return extra
