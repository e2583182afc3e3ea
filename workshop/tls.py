"""TLS for the participant server: its certificate and key, checked once, before anything starts.

On a venue's Wi-Fi anyone on the network can read plain HTTP; with a certificate the phones' page and
their answers travel encrypted. A file that cannot be used is one line saying which and what to do.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from workshop.errors import ServeError


def tls_context(certfile: Path, keyfile: Path) -> ssl.SSLContext:
    """A server context for this certificate and key; ServeError naming the file that cannot be used."""
    for path, what, flag in ((certfile, "certificate", "--certfile"), (keyfile, "key", "--keyfile")):
        try:
            path.read_bytes()
        except FileNotFoundError:
            raise ServeError(f"the {what} file {path} does not exist — check {flag}") from None
        except OSError as error:
            raise ServeError(
                f"cannot read the {what} file {path} ({error.strerror}) — check {flag}"
            ) from None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_verify_locations(cafile=str(certfile))
    except ssl.SSLError:
        raise ServeError(
            f"{certfile} is not a certificate in PEM form (-----BEGIN CERTIFICATE-----) — check --certfile"
        ) from None
    try:
        # No passphrase prompt on the terminal: a protected key is refused like any unusable one.
        context.load_cert_chain(str(certfile), str(keyfile), password=lambda: b"")
    except ssl.SSLError as error:
        if "KEY_VALUES_MISMATCH" in str(error):
            raise ServeError(
                f"the key {keyfile} does not belong to the certificate {certfile} — "
                "give the key the certificate was made with"
            ) from None
        raise ServeError(
            f"{keyfile} is not a usable private key in PEM form (one with a passphrase cannot be used) "
            "— check --keyfile"
        ) from None
    return context
