"""The workspace: init, the demo, backups and restore."""
