"""Webhooks: a lead's endpoints are told, signed and retried, of what happens in a project. The lowest
room: it imports only the root and tasks/, so every room and the exporters may call services.emit."""
