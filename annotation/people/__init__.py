"""People: a project's members and the invitations that bring new ones in (leads' pages and API)."""
