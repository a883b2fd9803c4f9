import os

BASE = os.environ.get("SCIMAPP_NETLOC", "127.0.0.1:54331")
SECRET_KEY = "rollcall-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "scimapp.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django_scim", "scimapp"]
MIDDLEWARE = ["scimapp.middleware.tenant_and_token"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SCIMAPP_DB", "/tmp/rollcall-scimapp.sqlite3"),
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SCIMAPP_TOKEN = os.environ.get("SCIMAPP_TOKEN", "rollcall-test-scim")
# django-scim2's own behaviour, configured only where a project must: which model, which tenant
SCIM_SERVICE_PROVIDER = {
    "NETLOC": BASE,
    "SCHEME": "http",
    "AUTHENTICATION_SCHEMES": [
        {"type": "oauthbearertoken", "name": "OAuth Bearer Token", "description": "a bearer token", "primary": True}
    ],
    "USER_MODEL_GETTER": "scimapp.models.user_model",
    "USER_ADAPTER": "scimapp.adapters.TenantUser",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "scimapp.adapters.tenant_filter",
}
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_scim": {"handlers": ["console"], "level": "WARNING"}},
}
