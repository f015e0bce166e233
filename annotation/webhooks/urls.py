from django.urls import path

from annotation.webhooks import api, views

urlpatterns = [
    path("projects/<slug:slug>/webhooks/", views.webhooks_page, name="webhooks"),
    path("projects/<slug:slug>/webhooks/<int:endpoint_id>/", views.endpoint_page, name="webhook-endpoint"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/webhooks", api.ProjectWebhooks.as_view(), name="api-webhooks"),
    path("webhooks/<int:endpoint_id>", api.WebhookDetail.as_view(), name="api-webhook"),
    path("webhooks/<int:endpoint_id>/secret", api.WebhookSecret.as_view(), name="api-webhook-secret"),
    path("webhooks/<int:endpoint_id>/ping", api.WebhookPing.as_view(), name="api-webhook-ping"),
    path("webhooks/<int:endpoint_id>/deliveries", api.WebhookDeliveries.as_view(), name="api-webhook-deliveries"),
    path(
        "webhook-deliveries/<int:delivery_id>/redeliver", api.WebhookRedeliver.as_view(), name="api-webhook-redeliver"
    ),
]
