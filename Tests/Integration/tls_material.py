"""TLS material for the security tests, made with `cryptography` in a
directory: a CA, a broker certificate for 127.0.0.1 and localhost, client
certificates signed by the CA, an expired client certificate and one from a
second CA the broker does not trust. EC P-256 keys, so it takes a few
milliseconds.

Files (all PEM):
  ca.pem                      the CA certificate (the clients' and the broker's trust store)
  broker.pem                  the broker's key and chain (leaf, then the CA): ssl.keystore.location
  broker-encrypted.pem        the same with the key encrypted under BROKER_KEY_PASSWORD
  <name>.crt, <name>.key      client certificate and key, for each client in CLIENTS,
                              and for "expired" and "untrusted"
  rogue-ca.pem                the untrusted CA
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORG = "Barge"
# Client certificates signed by the trusted CA, by short name -> common name.
CLIENTS = {"writer": "writer", "reader": "reader", "admin": "admin"}
BROKER_KEY_PASSWORD = "keystore-secret"


def principal(cn: str, org: str = ORG) -> str:
    """The principal the broker gives a certificate whose subject is CN=cn,O=org
    (Kafka's DEFAULT mapping, RFC 2253 order)."""
    return f"User:CN={cn},O={org}"


@dataclass
class ClientCert:
    cert: str
    key: str
    principal: str


@dataclass
class TLSMaterial:
    dir: Path
    ca: str
    broker_keystore: str
    broker_keystore_encrypted: str
    clients: dict[str, ClientCert]
    expired: ClientCert
    untrusted: ClientCert
    rogue_ca: str


def _name(cn: str, org: str) -> x509.Name:
    # Sequence order O, CN: RFC 2253 writes it reversed, CN=...,O=...
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key, password: str | None = None) -> bytes:
    enc = (serialization.BestAvailableEncryption(password.encode()) if password
           else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def _pem_cert(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca(cn: str, now: datetime.datetime):
    key = _key()
    name = _name(cn, ORG)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key, ca_cert, cn: str, *, server: bool, not_before, not_after, org: str = ORG):
    key = _key()
    b = (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(ca_cert.subject)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                      crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                               else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if server:
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                         x509.DNSName("localhost")]), critical=False)
    return key, b.sign(ca_key, hashes.SHA256())


def make_tls_material(directory: Path) -> TLSMaterial:
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = dict(not_before=now - datetime.timedelta(hours=1), not_after=now + datetime.timedelta(days=7))

    def write(name: str, data: bytes) -> str:
        p = directory / name
        p.write_bytes(data)
        p.chmod(0o600)
        return str(p)

    ca_key, ca_cert = _ca("Barge Test CA", now)
    ca = write("ca.pem", _pem_cert(ca_cert))

    broker_key, broker_cert = _leaf(ca_key, ca_cert, "localhost", server=True, **valid)
    chain = _pem_cert(broker_cert) + _pem_cert(ca_cert)
    keystore = write("broker.pem", _pem_key(broker_key) + chain)
    keystore_enc = write("broker-encrypted.pem", _pem_key(broker_key, BROKER_KEY_PASSWORD) + chain)

    def client(file_name: str, cn: str, signer_key, signer_cert, **validity) -> ClientCert:
        key, cert = _leaf(signer_key, signer_cert, cn, server=False, **validity)
        return ClientCert(write(f"{file_name}.crt", _pem_cert(cert)), write(f"{file_name}.key", _pem_key(key)),
                          principal(cn))

    clients = {short: client(short, cn, ca_key, ca_cert, **valid) for short, cn in CLIENTS.items()}
    expired = client("expired", "expired", ca_key, ca_cert, not_before=now - datetime.timedelta(days=30),
                     not_after=now - datetime.timedelta(days=1))
    rogue_key, rogue_cert = _ca("Rogue CA", now)
    rogue_ca = write("rogue-ca.pem", _pem_cert(rogue_cert))
    untrusted = client("untrusted", "writer", rogue_key, rogue_cert, **valid)
    return TLSMaterial(directory, ca, keystore, keystore_enc, clients, expired, untrusted, rogue_ca)


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys
    import tempfile
    m = make_tls_material(Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()))
    print(m)
