"""A fake Microsoft identity platform and Microsoft Graph (mail, calendar, $batch) on
127.0.0.1 over HTTPS, as strict as the real services; see REALITY.md for every behaviour and
its public source."""
