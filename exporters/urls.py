from django.urls import path

from exporters import views

urlpatterns = [
    path("projects/<slug:slug>/exports/", views.export_page, name="exports"),
    path("projects/<slug:slug>/exports/history", views.history, name="exports-history"),
    path("exports/<int:export_id>/download", views.download, name="export-download"),
    path("exports/<int:export_id>/manifest", views.manifest, name="export-manifest"),
    path("exports/<int:export_id>/features", views.features, name="export-features"),
]
