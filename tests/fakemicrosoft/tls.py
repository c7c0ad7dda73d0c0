"""The fake Microsoft's TLS (msal accepts only https authorities, so the fake speaks TLS;
clients trust it via REQUESTS_CA_BUNDLE): a certificate from the tests' CA, made once per
test process."""

from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path
from tempfile import mkdtemp

from tests.tls_ca import make_test_ca


@lru_cache(maxsize=1)
def certificates() -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server key), made once per test process."""
    authority = make_test_ca(Path(mkdtemp(prefix="fakemicrosoft-tls-")))
    return authority.ca_file, authority.cert_file, authority.key_file


def server_context() -> ssl.SSLContext:
    _, cert_file, key_file = certificates()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context
