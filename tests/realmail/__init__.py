"""Real mail servers for the IMAP/SMTP tests: a Dovecot and an aiosmtpd SMTP server, started and
stopped by the tests on 127.0.0.1, with TLS from a test CA made here (see README, "Tests")."""
