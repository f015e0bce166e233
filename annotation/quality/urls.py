from django.urls import path

from annotation.quality import api, views

urlpatterns = [
    path("projects/<slug:slug>/quality/", views.quality_page, name="quality"),
    path("projects/<slug:slug>/dashboard/", views.dashboard_page, name="dashboard"),
    path("projects/<slug:slug>/annotators/", views.annotators_page, name="annotators"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/dashboard", api.Dashboard.as_view(), name="api-dashboard"),
    path("projects/<slug:slug>/quality", api.Quality.as_view(), name="api-quality"),
    path("projects/<slug:slug>/annotators", api.Annotators.as_view(), name="api-annotators"),
]
