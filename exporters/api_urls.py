from django.urls import path

from exporters import api

urlpatterns = [
    path("projects/<slug:slug>/exports", api.ProjectExports.as_view(), name="api-exports"),
    path("exports/<int:export_id>", api.ExportDetail.as_view(), name="api-export"),
    path("exports/<int:export_id>/download", api.ExportDownload.as_view(), name="api-export-download"),
]
