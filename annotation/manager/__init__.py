"""The task manager: leads and reviewers search a project's tasks; leads act on many of them at once."""
