"""Microsoft 365 / Outlook.com: msal sign-in (token cache in the keyring) and the one door to
Microsoft Graph (:mod:`outreach.microsoft.graph`)."""
