"""The cryptographic recipes: what opens, what does not, and what tampering shows."""

from __future__ import annotations

import pytest

from ia_desk.security import crypto
from ia_desk.security.crypto import WrongKey

CHEAP = crypto.KdfParams(iterations=1, memory_kib=8, lanes=1)


def test_a_password_key_opens_what_it_wrapped_and_nothing_else():
    salt = crypto.new_salt()
    key = crypto.key_from_password("Correct-horse-2026", salt, CHEAP)
    assert key == crypto.key_from_password("Correct-horse-2026", salt, CHEAP)
    assert key != crypto.key_from_password("Correct-horse-2027", salt, CHEAP)
    secret = crypto.random_key()
    blob = crypto.wrap(key, secret, b"db key|alice")
    assert crypto.unwrap(key, blob, b"db key|alice") == secret
    with pytest.raises(WrongKey):
        crypto.unwrap(crypto.random_key(), blob, b"db key|alice")
    with pytest.raises(WrongKey):  # wrapped for alice, not for bob
        crypto.unwrap(key, blob, b"db key|bob")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(WrongKey):
        crypto.unwrap(key, tampered, b"db key|alice")


def test_anyone_seals_to_a_public_key_and_only_its_private_key_opens():
    private, public = crypto.new_sealing_pair()
    other_private, _ = crypto.new_sealing_pair()
    sealed = crypto.seal(public, b"Quinn Whistle", b"reporter|7")
    assert b"Quinn" not in sealed
    assert crypto.seal(public, b"Quinn Whistle", b"reporter|7") != sealed  # never the same
    assert crypto.open_sealed(private, sealed, b"reporter|7") == b"Quinn Whistle"
    with pytest.raises(WrongKey):
        crypto.open_sealed(other_private, sealed, b"reporter|7")
    with pytest.raises(WrongKey):  # moved to another row
        crypto.open_sealed(private, sealed, b"reporter|8")
    with pytest.raises(WrongKey):
        crypto.open_sealed(private, sealed[:40] + b"x" + sealed[41:], b"reporter|7")


def test_a_signature_holds_for_its_message_and_key_only():
    private, public = crypto.new_signing_pair()
    _, other = crypto.new_signing_pair()
    signature = crypto.sign(private, b"event 41|abc")
    assert crypto.public_of(private) == public
    assert crypto.signature_holds(public, b"event 41|abc", signature)
    assert not crypto.signature_holds(public, b"event 41|abd", signature)
    assert not crypto.signature_holds(other, b"event 41|abc", signature)
    assert not crypto.signature_holds(public, b"event 41|abc", b"\0" * 64)


def test_a_blind_index_matches_equal_values_and_needs_its_key():
    key = crypto.random_key()
    assert crypto.blind_index(key, "7001") == crypto.blind_index(key, "7001")
    assert crypto.blind_index(key, "7001") != crypto.blind_index(key, "7002")
    assert crypto.blind_index(crypto.random_key(), "7001") != crypto.blind_index(key, "7001")


def test_a_recovery_code_reads_back_whatever_its_spelling():
    key = crypto.random_key()
    code = crypto.recovery_code(key)
    assert len(code.replace("-", "")) == 52 and code.count("-") == 12
    assert crypto.parse_recovery_code(code) == key
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert crypto.parse_recovery_code(sloppy) == key
    for bad in ("", "ABCD", code + "X", code.replace(code[0], "U", 1)):
        with pytest.raises(WrongKey):
            crypto.parse_recovery_code(bad)
