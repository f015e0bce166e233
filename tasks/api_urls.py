from django.urls import path

from tasks import api

urlpatterns = [
    path("auth/token", api.ObtainToken.as_view(), name="api-auth-token"),
    path("projects/", api.ProjectList.as_view(), name="api-project-list"),
    path("projects/<slug:slug>/", api.ProjectDetail.as_view(), name="api-project-detail"),
    path("projects/<slug:slug>/tasks/", api.TaskList.as_view(), name="api-task-list"),
    path("projects/<slug:slug>/tasks/import", api.TaskImport.as_view(), name="api-task-import"),
]
