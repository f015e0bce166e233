"""Project setup for leads: create a project, edit its settings (rubric editor and live previews), archive
and duplicate it, and the audit log of who changed what."""
