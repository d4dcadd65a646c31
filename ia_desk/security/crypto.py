"""The few cryptographic recipes IA Desk needs, each made of the ``cryptography``
library's primitives (nothing here is a primitive of its own):

- a key from a password: Argon2id (:func:`key_from_password`);
- wrapping a secret under a key: AES-256-GCM with a random nonce and the secret's
  purpose bound as associated data (:func:`wrap`, :func:`unwrap`);
- sealing to a public key, so that whoever holds the public key can seal and only the
  private key's holders open: X25519, HKDF-SHA256, AES-256-GCM, the ECIES construction
  (:func:`seal`, :func:`open_sealed`);
- signing: Ed25519 (:func:`sign`, :func:`signature_holds`);
- a blind index, so equal values can be found without storing them: HMAC-SHA256 under
  a key only its holders have (:func:`blind_index`);
- a recovery code a person can write down: 256 random bits in Crockford base32.

Every wrapped or sealed value names its purpose (``context``): a value wrapped for one
purpose does not open for another. Nothing here logs or prints a secret.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
SEALED_VERSION = b"\x01"
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


class WrongKey(Exception):
    """The key does not open this value (a wrong password or recovery code, a value
    altered, or one made for another purpose)."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id's cost: OWASP's second recommended set (3 passes over 64 MiB, 4 lanes)
    takes about a fifth of a second here; tests use cheaper ones."""

    iterations: int = 3
    memory_kib: int = 64 * 1024
    lanes: int = 4

    def as_dict(self) -> dict[str, int]:
        return {"iterations": self.iterations, "memory_kib": self.memory_kib, "lanes": self.lanes}

    @classmethod
    def of(cls, raw: dict[str, int]) -> KdfParams:
        return cls(int(raw["iterations"]), int(raw["memory_kib"]), int(raw["lanes"]))


DEFAULT_KDF = KdfParams()


def random_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def key_from_password(password: str, salt: bytes, params: KdfParams = DEFAULT_KDF) -> bytes:
    """A 256-bit key from a password (Argon2id)."""
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(password.encode("utf-8"))


def wrap(key: bytes, secret: bytes, context: bytes) -> bytes:
    """``secret`` encrypted and authenticated under ``key`` for one purpose."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, secret, context)


def unwrap(key: bytes, blob: bytes, context: bytes) -> bytes:
    """The secret :func:`wrap` wrapped; :class:`WrongKey` when it does not open."""
    if len(blob) < NONCE_BYTES + 16:
        raise WrongKey("the wrapped value is cut short")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
    except InvalidTag:
        raise WrongKey("the key does not open this value") from None


def new_sealing_pair() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 keys."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def sealing_public_of(private_key: bytes) -> bytes:
    """The X25519 public key of a raw private key."""
    return X25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def recovery_sealing_pair(recovery_key: bytes) -> tuple[bytes, bytes]:
    """(private, public) X25519 keys of a recovery key: whoever holds the recovery code
    holds the private one, so what is sealed to the public one opens with the code."""
    private = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"ia-desk recovery sealing key",
    ).derive(recovery_key)
    return private, sealing_public_of(private)


def _seal_key(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=ephemeral + recipient,
        info=b"ia-desk seal|" + context,
    ).derive(shared)


def seal(public_key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """``plaintext`` sealed to the holder of the private key of ``public_key``."""
    recipient = X25519PublicKey.from_public_bytes(public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    key = _seal_key(ephemeral.exchange(recipient), ephemeral_public, public_key, context)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return (
        SEALED_VERSION + ephemeral_public + nonce + AESGCM(key).encrypt(nonce, plaintext, context)
    )


def open_sealed(private_key: bytes, blob: bytes, context: bytes) -> bytes:
    """What :func:`seal` sealed; :class:`WrongKey` when this key does not open it."""
    if len(blob) < 1 + 32 + NONCE_BYTES + 16 or blob[:1] != SEALED_VERSION:
        raise WrongKey("not a sealed value of this kind")
    private = X25519PrivateKey.from_private_bytes(private_key)
    ephemeral_public = blob[1:33]
    recipient = private.public_key().public_bytes_raw()
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _seal_key(shared, ephemeral_public, recipient, context)
    try:
        return AESGCM(key).decrypt(blob[33 : 33 + NONCE_BYTES], blob[33 + NONCE_BYTES :], context)
    except InvalidTag:
        raise WrongKey("the key does not open this sealed value") from None


def new_signing_pair() -> tuple[bytes, bytes]:
    """(private, public) raw Ed25519 keys."""
    private = Ed25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def public_of(private_key: bytes) -> bytes:
    """The Ed25519 public key of a raw private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def sign(private_key: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def signature_holds(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def blind_index(key: bytes, value: str) -> str:
    """A value's blind index: equal values give equal indexes, nobody without ``key``
    can compute one (so a low-entropy value such as a badge cannot be guessed)."""
    mac = crypto_hmac.HMAC(key, hashes.SHA256())
    mac.update(value.encode("utf-8"))
    return mac.finalize().hex()


def fingerprint(public_key: bytes) -> str:
    """A short, stable name of a public key (for the trail and for people)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def recovery_code(key: bytes) -> str:
    """A key as a code to write down: Crockford base32 in groups of four."""
    number = int.from_bytes(key, "big")
    digits = []
    for _ in range((len(key) * 8 + 4) // 5):
        digits.append(RECOVERY_ALPHABET[number & 31])
        number >>= 5
    text = "".join(reversed(digits))
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_code(code: str, length: int = KEY_BYTES) -> bytes:
    """The key of a recovery code, forgiving case, separators and look-alikes (O for 0,
    I and L for 1); :class:`WrongKey` when it cannot be one."""
    cleaned = (
        code.strip()
        .upper()
        .replace("-", "")
        .replace(" ", "")
        .replace("O", "0")
        .replace("I", "1")
        .replace("L", "1")
    )
    if len(cleaned) != (length * 8 + 4) // 5 or any(c not in RECOVERY_ALPHABET for c in cleaned):
        raise WrongKey("that is not a recovery code of IA Desk")
    number = 0
    for c in cleaned:
        number = number * 32 + RECOVERY_ALPHABET.index(c)
    if number >> (length * 8):
        raise WrongKey("that is not a recovery code of IA Desk")
    return number.to_bytes(length, "big")


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def unb64(value: str) -> bytes:
    return base64.b64decode(value.encode("ascii"), validate=True)
