"""Google APIs: building Gmail and Calendar services (with an endpoint override) and OAuth."""
