"""TLS for the client security tests before the broker speaks it: test
certificates made with the openssl command (a CA, a server certificate for
chosen names, a client certificate, an encrypted key) and `TlsProxy`, a TLS
terminator in front of a plaintext broker (which advertises the proxy's
port, so that every connection of a client goes through TLS)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path

from conftest import HOST, free_port


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class CertificateAuthority:
    """A CA and certificates signed by it, in `directory`."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_key = directory / "ca.key"
        self.ca = directory / "ca.pem"
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.ca_key), "-out", str(self.ca),
                "-days", "2", "-subj", "/CN=barge-test-ca")

    def issue(self, name: str, subject_alt_names: str | None = None, key_password: str | None = None) -> tuple[Path, Path]:
        """A certificate and key for `name`: SANs like 'DNS:localhost,IP:127.0.0.1';
        the key encrypted with `key_password` when given."""
        key = self.directory / f"{name}.key"
        csr = self.directory / f"{name}.csr"
        cert = self.directory / f"{name}.pem"
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}")
        extensions = self.directory / f"{name}.ext"
        extensions.write_text(f"subjectAltName={subject_alt_names}\n" if subject_alt_names else "basicConstraints=CA:FALSE\n")
        openssl("x509", "-req", "-in", str(csr), "-CA", str(self.ca), "-CAkey", str(self.ca_key), "-CAcreateserial",
                "-out", str(cert), "-days", "2", "-extfile", str(extensions))
        if key_password is not None:
            encrypted = self.directory / f"{name}.encrypted.key"
            openssl("pkcs8", "-topk8", "-in", str(key), "-out", str(encrypted), "-passout", f"pass:{key_password}", "-v2", "aes-256-cbc")
            key = encrypted
        return cert, key


class TlsProxy:
    """Accepts TLS on 127.0.0.1:`port` and forwards the plaintext to `target`
    (set once the broker runs). With `client_ca` it requires a client
    certificate signed by it."""

    def __init__(self, cert: Path, key: Path, client_ca: Path | None = None):
        self.port = free_port()
        self.target: tuple[str, int] | None = None
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(cert), str(key))
        if client_ca is not None:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(str(client_ca))
        self.listener = socket.create_server((HOST, self.port))
        self.handshake_failures = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            secure = self.context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            self.handshake_failures += 1
            client.close()
            return
        assert self.target is not None
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            secure.close()
            return
        threading.Thread(target=self._pump, args=(upstream, secure), daemon=True).start()
        self._pump(secure, upstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
