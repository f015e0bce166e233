"""Every URL of the platform; each room (work, review, quality, timesheets, webhooks) lists its own pages
and API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from annotation import health
from annotation.manager import urls as manager
from annotation.ops import metrics
from annotation.people import urls as people
from annotation.projects import urls as projects
from annotation.quality import urls as quality
from annotation.review import urls as review
from annotation.timesheets import urls as timesheets
from annotation.webhooks import urls as webhooks
from annotation.work import urls as work
from tasks import oidc
from tasks import views as task_views

ROOMS = (work, review, quality, timesheets, webhooks, people, manager)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="project-list"), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ping", health.ping, name="ping"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # single sign-on (tasks/oidc.py): 404 unless OIDC_ENABLED
    path("accounts/oidc/authenticate/", oidc.SignInView.as_view(), name="oidc-login"),
    path("accounts/oidc/callback/", oidc.CallbackView.as_view(), name="oidc-callback"),
    path("accounts/token/", task_views.api_token, name="api-token"),
    path("accounts/token/reset/", task_views.api_token_reset, name="api-token-reset"),
    *projects.urlpatterns,  # before tasks.urls, whose "<slug>/" would take "projects/new/"
    path("projects/", include("tasks.urls")),
    *(pattern for room in ROOMS for pattern in room.urlpatterns),
    path("api/v1/", include("tasks.api_urls")),
    path("api/v1/", include(projects.api_urlpatterns)),
    *(path("api/v1/", include(room.api_urlpatterns)) for room in ROOMS),
    path("api/v1/", include("exporters.api_urls")),
    path("", include("exporters.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its start-up script as a file of its own: no inline script under the CSP
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
