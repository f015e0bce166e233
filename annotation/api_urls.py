from django.urls import path

from annotation import api, quality_api

urlpatterns = [
    path("projects/<slug:slug>/assignments/next", api.ClaimNext.as_view(), name="api-claim-next"),
    path("assignments/<int:assignment_id>", api.AssignmentDetail.as_view(), name="api-assignment"),
    path("assignments/<int:assignment_id>/draft", api.Draft.as_view(), name="api-draft"),
    path("assignments/<int:assignment_id>/runs", api.Runs.as_view(), name="api-runs"),
    path("assignments/<int:assignment_id>/runs/latest", api.LatestRun.as_view(), name="api-run-latest"),
    path("assignments/<int:assignment_id>/submit", api.Submit.as_view(), name="api-submit"),
    path("assignments/<int:assignment_id>/skip", api.Skip.as_view(), name="api-skip"),
    path("heartbeat", api.Heartbeat.as_view(), name="api-heartbeat"),
    path("projects/<slug:slug>/reviews/queue", api.ReviewQueue.as_view(), name="api-review-queue"),
    path("assignments/<int:assignment_id>/review", api.ReviewVerdict.as_view(), name="api-review"),
    path("projects/<slug:slug>/dashboard", quality_api.Dashboard.as_view(), name="api-dashboard"),
    path("projects/<slug:slug>/quality", quality_api.Quality.as_view(), name="api-quality"),
    path("projects/<slug:slug>/annotators", quality_api.Annotators.as_view(), name="api-annotators"),
    path("projects/<slug:slug>/timesheet", quality_api.Timesheet.as_view(), name="api-timesheet"),
]
