from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from annotation import api as work
from tasks import api

urlpatterns = [
    path("auth/token", obtain_auth_token, name="api-auth-token"),
    path("projects/", api.ProjectList.as_view(), name="api-project-list"),
    path("projects/<slug:slug>/", api.ProjectDetail.as_view(), name="api-project-detail"),
    path("projects/<slug:slug>/tasks/", api.TaskList.as_view(), name="api-task-list"),
    path("projects/<slug:slug>/tasks/import", api.TaskImport.as_view(), name="api-task-import"),
    path("projects/<slug:slug>/assignments/next", work.ClaimNext.as_view(), name="api-claim-next"),
    path("assignments/<int:assignment_id>", work.AssignmentDetail.as_view(), name="api-assignment"),
    path("assignments/<int:assignment_id>/draft", work.Draft.as_view(), name="api-draft"),
    path("assignments/<int:assignment_id>/runs", work.Runs.as_view(), name="api-runs"),
    path("assignments/<int:assignment_id>/runs/latest", work.LatestRun.as_view(), name="api-run-latest"),
    path("assignments/<int:assignment_id>/submit", work.Submit.as_view(), name="api-submit"),
    path("assignments/<int:assignment_id>/skip", work.Skip.as_view(), name="api-skip"),
    path("heartbeat", work.Heartbeat.as_view(), name="api-heartbeat"),
]
