from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from annotation import review_views, timesheet_views, views
from tasks import views as task_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="project-list"), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/", task_views.api_token, name="api-token"),
    path("accounts/token/reset/", task_views.api_token_reset, name="api-token-reset"),
    path("projects/", include("tasks.urls")),
    path("projects/<slug:slug>/start", views.start_working, name="start-working"),
    path("work/", include("annotation.work_urls")),
    path("projects/<slug:slug>/review/", review_views.review_queue, name="review-queue"),
    path("review/<int:assignment_id>/", review_views.review_page, name="review-judgment"),
    path("projects/<slug:slug>/timesheet/", timesheet_views.timesheet_page, name="timesheet"),
    path("projects/<slug:slug>/quality/", review_views.quality_page, name="quality"),
    path("projects/<slug:slug>/dashboard/", review_views.dashboard_page, name="dashboard"),
    path("projects/<slug:slug>/annotators/", review_views.annotators_page, name="annotators"),
    path("api/v1/", include("tasks.api_urls")),
    path("api/v1/", include("annotation.api_urls")),
    path("api/v1/", include("exporters.api_urls")),
    path("", include("exporters.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
