from django.db import models
from django.utils import timezone
from django_scim.models import AbstractSCIMUserMixin


class NoGroups:
    def all(self):
        return []


class Person(AbstractSCIMUserMixin):
    """An app's user with the fields django-scim2's SCIMUser adapter reads; userName unique per tenant."""

    tenant = models.CharField(max_length=64, db_index=True)
    username = models.CharField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.CharField(max_length=254, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "scimapp"
        constraints = [models.UniqueConstraint(fields=["tenant", "username"], name="one_username_per_tenant")]

    @property
    def scim_groups(self):
        return NoGroups()

    def set_password(self, raw):
        pass


def user_model():
    return Person
