"""Attacks on the trust mechanisms of issue 20 by an insider: someone with a command-staff or
supervisor account and its password, the embedded database and its key (on PostgreSQL: the
workstation account ``ia_desk_app`` only, never the owner or a superuser), and the audit
MAC key. Each test performs the attack and asserts what a user must be able to rely on.

The insider's SQL runs through :func:`insider`: on SQLite with the app's own engine (the
file and its key), dropping the protecting triggers as anyone holding the file can; on
PostgreSQL as ``ia_desk_app``. Setting up a database *from before this version* (no keys,
no start of signing) uses ``as_before_signing`` (tests/conftest.py): that is the
upgrade's starting point, not the attack.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from ia_desk.accounts.users import authenticate, set_active, unlock_actor
from ia_desk.audit.records import digest_of
from ia_desk.audit.signatures import sign
from ia_desk.audit.trail import (
    GENESIS,
    begin_signing,
    canonical_details,
    canonical_form,
    parse_checkpoint,
    verify,
)
from ia_desk.db.engine import Database
from ia_desk.db.models import AuditEvent, Evidence, User, utcnow
from ia_desk.errors import AuthenticationError
from ia_desk.evidence.store import EvidenceInput, add_evidence, verify_all
from ia_desk.security import crypto

from .conftest import PASSWORD, PG_APP_URL, as_before_signing

Insider = Callable[[], AbstractContextManager[Connection]]


@pytest.fixture
def insider(db: Database, db_url: str) -> Iterator[Insider]:
    """One transaction as the insider holds the database (see the module)."""
    engines: list[Any] = []

    @contextmanager
    def tx() -> Iterator[Connection]:
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as conn:
                for table in ("audit_event", "evidence_blob"):
                    for action in ("update", "delete"):
                        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
                yield conn
            return
        assert PG_APP_URL
        engine = create_engine(f"{PG_APP_URL}/{db_url.rsplit('/', 1)[1]}", poolclass=NullPool)
        engines.append(engine)
        with engine.begin() as conn:
            yield conn

    yield tx
    for engine in engines:
        engine.dispose()


def append_event(
    conn: Connection,
    audit_key: bytes,
    login: str,
    event_type: str,
    *,
    signer: tuple[str, bytes] | None = None,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: str | None = None,
    case_number: str | None = None,
    details: str = "{}",
) -> int:
    """Append an event in the insider's transaction as IA Desk would: the next number, a
    MAC that holds (the insider has the MAC key), linked to the head, signed with a key
    the insider holds (or unsigned); the head moved. Returns its number."""
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    head_seq, head_mac = conn.execute(
        text(f"SELECT seq, mac FROM audit_head WHERE id = 1{lock}")
    ).one()
    highest = conn.execute(text("SELECT max(seq) FROM audit_event")).scalar() or 0
    row: dict[str, Any] = {
        "seq": max(head_seq, highest) + 1,
        "at": utcnow(),
        "user_login": login,
        "workstation": "insider-pc",
        "event_type": event_type,
        "object_type": object_type,
        "object_id": object_id,
        "case_number": case_number,
        "outcome": outcome,
        "details": details,
        "prev_mac": head_mac,
    }
    canonical = canonical_form(**row)
    row["mac"] = hmac.new(audit_key, canonical, hashlib.sha256).hexdigest()
    row["signer_key"] = row["signature"] = None
    if signer is not None:
        row["signer_key"], row["signature"] = signer[0], sign(signer[1], canonical)
    conn.execute(
        text(
            "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, "
            "object_type, object_id, case_number, outcome, details, prev_mac, mac, signer_key, "
            "signature) VALUES (:seq, :at, :user_login, :workstation, :event_type, "
            ":object_type, :object_id, :case_number, :outcome, :details, :prev_mac, :mac, "
            ":signer_key, :signature)"
        ),
        row,
    )
    conn.execute(text("UPDATE audit_head SET seq = :seq, mac = :mac WHERE id = 1"), row)
    return int(row["seq"])


def own_key(db: Database, login: str) -> tuple[str, bytes]:
    """The insider's own key: they know their own password."""
    with db.write(None) as s:
        keys = unlock_actor(s, login, PASSWORD).keys
    assert keys is not None
    return keys.fingerprint, keys.signing_private


def events(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        return [
            {c.key: getattr(e, c.key) for c in AuditEvent.__table__.columns}
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


def rewrite_trail(
    db: Database, conn: Connection, kept: list[dict[str, Any]], keep_signatures: bool = True
) -> None:
    """Replace the whole trail with ``kept``, renumbered and re-chained with the MAC key."""
    conn.execute(text("DELETE FROM audit_event"))
    prev = GENESIS
    for seq, e in enumerate(kept, start=1):
        row = {
            "seq": seq,
            "at": e["at"],
            "user_login": e["user_login"],
            "workstation": e["workstation"],
            "event_type": e["event_type"],
            "object_type": e["object_type"],
            "object_id": e["object_id"],
            "case_number": e["case_number"],
            "outcome": e["outcome"],
            "details": e["details"],
            "prev_mac": prev,
        }
        row["mac"] = hmac.new(db.audit_key, canonical_form(**row), hashlib.sha256).hexdigest()
        row["signer_key"] = e["signer_key"] if keep_signatures else None
        row["signature"] = e["signature"] if keep_signatures else None
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, "
                "object_type, object_id, case_number, outcome, details, prev_mac, mac, "
                "signer_key, signature) VALUES (:seq, :at, :user_login, :workstation, "
                ":event_type, :object_type, :object_id, :case_number, :outcome, :details, "
                ":prev_mac, :mac, :signer_key, :signature)"
            ),
            row,
        )
        prev = row["mac"]
    conn.execute(
        text("UPDATE audit_head SET seq = :s, mac = :m WHERE id = 1"), {"s": len(kept), "m": prev}
    )


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def item(db: Database, admin: Any, open_report: Any) -> tuple[str, int]:
    """A case with one item of evidence, added by IA through the app: (case, item id)."""
    number = open_report().case.number
    with db.write(admin) as s:
        add_evidence(s, admin, number, [EvidenceInput(png("navy"), "post.png")])
    with db.read() as s:
        return number, int(s.scalar(select(Evidence.id)))


def evidence_verdicts(db: Database, admin: Any, number: str) -> dict[int, dict[str, Any]]:
    with db.write(admin) as s:
        return {r["id"]: r for r in verify_all(s, admin, number)}


def put_in_blob(conn: Connection, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    conn.execute(
        text("INSERT INTO evidence_blob (sha256, size, data, stored_at) VALUES (:d, :n, :b, :at)"),
        {"d": digest, "n": len(data), "b": data, "at": utcnow()},
    )
    return digest


# -- 1. the signed trail made to look like a trail from before signing ---------------------


def test_a_signed_trail_rewritten_to_look_from_before_signing_is_named(
    db, admin, make_user, insider
) -> None:
    """The administrator disables the insider. The insider removes that signed event and
    the start of signing, re-chains the whole trail with the MAC key, and re-enables
    their account; the next start of IA Desk begins signing again after it all. Every
    signed event now sits "before signing", where only the chain is checked."""
    if db.engine.dialect.name == "postgresql":
        pytest.skip("held on PostgreSQL: ia_desk_app cannot delete or update audit events")
    mole = make_user("command_staff")
    with db.write(admin) as s:
        set_active(s, admin, mole.login, False)
    with db.read() as s:
        admin_key = s.scalar(
            text("SELECT fingerprint FROM user_key WHERE retired_at IS NULL AND user_id = :u"),
            {"u": admin.user_id},
        )
    kept = [
        e for e in events(db) if e["event_type"] not in ("audit.signing_begins", "user.disable")
    ]
    # So the administrator's next sign-in raises no question: a "legacy" change of
    # password naming the key they really hold.
    kept.append(
        {
            **kept[-1],
            "user_login": admin.login,
            "event_type": "user.change_password",
            "object_type": "user",
            "object_id": str(admin.user_id),
            "case_number": None,
            "outcome": "ok",
            "details": canonical_details({"login": admin.login, "key": admin_key}),
        }
    )
    with insider() as conn:
        rewrite_trail(db, conn, kept)
        conn.execute(
            text("UPDATE app_user SET active = :t WHERE id = :u"), {"t": True, "u": mole.user_id}
        )
    begin_signing(db)  # what the next start of IA Desk does
    authenticate(db, mole.login, PASSWORD)  # back in
    authenticate(db, admin.login, PASSWORD)
    with db.read() as s:
        result = verify(s)
    assert not result.ok, (
        "a trail whose signed events were made to look older than signing verified: "
        + result.summary()
    )


# -- 2. the latest events and the head -----------------------------------------------------


def test_an_administrators_latest_event_cut_off_with_the_head_is_named(
    db, admin, make_user, insider
) -> None:
    """The administrator disables the insider: the last event of the trail. The insider
    deletes it, moves the head back to the event before, re-enables their account and
    signs in: each remaining signature holds, and nothing follows to break.

    What catches it: the account's standing against the trail (the row says enabled,
    the trail no longer says disabled, so that alone cannot), and a checkpoint kept
    outside the database (docs/security.md: the promise against cutting the newest
    events off an embedded database needs one). This test keeps one, as the administrator
    is told to, and checks verify names the cut with it."""
    mole = make_user("supervisor")
    with db.write(admin) as s:
        set_active(s, admin, mole.login, False)
    with db.read() as s:
        kept_outside = parse_checkpoint(verify(s).checkpoint)
    disable = events(db)[-1]
    assert disable["event_type"] == "user.disable"
    try:
        with insider() as conn:
            conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": disable["seq"]})
            seq, mac = conn.execute(
                text("SELECT seq, mac FROM audit_event ORDER BY seq DESC LIMIT 1")
            ).one()
            conn.execute(
                text("UPDATE audit_head SET seq = :s, mac = :m WHERE id = 1"), {"s": seq, "m": mac}
            )
            conn.execute(
                text("UPDATE app_user SET active = :t WHERE id = :u"),
                {"t": True, "u": mole.user_id},
            )
    except DBAPIError:
        pass  # the server refused (PostgreSQL: the trail is append-only)
    removed = all(e["event_type"] != "user.disable" for e in events(db))
    if removed:
        authenticate(db, mole.login, PASSWORD)
    with db.read() as s:
        result = verify(s, kept_outside)
    assert not removed or not result.ok, (
        "the administrator's user.disable was removed and the trail verifies against a "
        "checkpoint taken before: " + result.summary()
    )


# -- 3. a change covered by an event in its own transaction --------------------------------


def test_a_role_raised_under_cover_of_a_failed_sign_in_is_named(db, make_user, insider) -> None:
    """The server accepts a transaction that wrote any audit event. A failed sign-in is
    unsigned by design, and the insider holds the MAC key: one in the same transaction
    covers raising their own role to IA administrator, and nothing names it."""
    mole = make_user("command_staff")
    with insider() as conn:
        conn.execute(
            text("UPDATE app_user SET role = 'ia_admin' WHERE id = :u"), {"u": mole.user_id}
        )
        append_event(
            conn,
            db.audit_key,
            "nobody",
            "auth.sign_in",
            outcome="failed",
            details=canonical_details({"reason": "unknown login"}),
        )
    # The sign-in compares the row with the trail's own events about the account...
    with pytest.raises(AuthenticationError, match="changed outside IA Desk"):
        authenticate(db, mole.login, PASSWORD)
    # ...and verify names it.
    with db.read() as s:
        result = verify(s)
    assert not result.ok, "a role raised outside IA Desk verified: " + result.summary()
    assert any(
        f"account {mole.login} has the role ia_admin in the database but command_staff" in t
        for _, t in result.problems
    ), result.problems


@pytest.mark.parametrize("recorded", ["no digest", "the new row's digest"])
def test_evidence_swapped_under_cover_of_the_insiders_own_event_is_named(
    db, admin, make_user, item, insider, recorded
) -> None:
    """A supervisor points an IA item at other bytes and, in the same transaction,
    appends an ``evidence.add`` of their own for it, signed with their own key: with no
    digest the row counts as "from before binding"; with the new row's digest it
    "matches". Either way the verifier never asks whether that person may write it."""
    number, item_id = item
    mole = make_user("supervisor")
    key = own_key(db, mole.login)
    with insider() as conn:
        digest = put_in_blob(conn, png("red"))
        conn.execute(
            text("UPDATE evidence SET sha256 = :d, size = :n WHERE id = :id"),
            {"d": digest, "n": len(png("red")), "id": item_id},
        )
        details: dict[str, Any] = {}
        if recorded != "no digest":
            row = conn.execute(select(Evidence.__table__).where(Evidence.id == item_id)).mappings()
            details["record"] = digest_of("evidence", item_id, dict(row.one()))
        append_event(
            conn,
            db.audit_key,
            mole.login,
            "evidence.add",
            signer=key,
            object_type="evidence",
            object_id=str(item_id),
            case_number=number,
            details=canonical_details(details),
        )
    verdict = evidence_verdicts(db, admin, number)[item_id]
    with db.read() as s:
        result = verify(s)
    # (evidence verify's verdict, audit verify's): both must name the swapped item.
    assert (verdict["verified"], result.ok) == (False, False), result.summary()


# -- 4. the start of signing and the binding threshold ------------------------------------


def test_a_start_of_signing_put_in_before_the_real_one_does_not_make_new_rows_legacy(
    db, admin, item, insider
) -> None:
    """The binding threshold is read from the first ``audit.signing_begins`` by number,
    whether or not that row holds. One put in at number 0 with a huge threshold makes an
    item put in around the app "from before binding", and the evidence check (which looks
    at the row, not the chain) calls it verified."""
    number, item_id = item
    with insider() as conn:
        fake = {
            "seq": 0,
            "at": utcnow(),
            "user_login": "system",
            "workstation": "insider-pc",
            "event_type": "audit.signing_begins",
            "object_type": "database",
            "object_id": None,
            "case_number": None,
            "outcome": "ok",
            "details": canonical_details(
                {"bound_from": {"evidence": 10**9, "allegation": 10**9, "discipline": 10**9}}
            ),
            "prev_mac": GENESIS,
        }
        fake["mac"] = hmac.new(db.audit_key, canonical_form(**fake), hashlib.sha256).hexdigest()
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, "
                "object_type, object_id, case_number, outcome, details, prev_mac, mac) VALUES "
                "(:seq, :at, :user_login, :workstation, :event_type, :object_type, :object_id, "
                ":case_number, :outcome, :details, :prev_mac, :mac)"
            ),
            fake,
        )
        digest = put_in_blob(conn, png("green"))
        conn.execute(
            text(
                "INSERT INTO evidence (case_id, sha256, file_name, media_type, size, width, "
                "height, source_url, platform, captured_at, captured_tz, captured_by_id, "
                "workstation, method, note, added_at) SELECT case_id, :d, 'planted.png', "
                "media_type, :n, width, height, source_url, platform, captured_at, captured_tz, "
                "captured_by_id, workstation, method, note, added_at FROM evidence WHERE id = :id"
            ),
            {"d": digest, "n": len(png("green")), "id": item_id},
        )
    verdicts = evidence_verdicts(db, admin, number)
    (planted,) = [v for i, v in verdicts.items() if i != item_id]
    assert not planted["verified"], "an item put in around the app is shown VERIFIED"


# -- 5. junk rows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "details",
    ['{"records":{"allegation":[1]}}', '{"records":{"allegation":{"\\u00b2":"x"}}}'],
    ids=["a list of rows", "a superscript row id"],
)
def test_a_junk_intake_row_never_crashes_verify(db, admin, open_report, insider, details) -> None:
    """Anyone who can insert a row (no key needed) puts in a ``case.intake`` whose
    carried records are not the shape the check expects."""
    open_report()
    with insider() as conn:
        highest = conn.execute(text("SELECT max(seq) FROM audit_event")).scalar()
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, outcome, "
                "details, prev_mac, mac) VALUES (:s, :at, 'x', 'x', 'case.intake', 'ok', :d, "
                ":z, :z)"
            ),
            {"s": highest + 1, "at": utcnow(), "d": details, "z": GENESIS},
        )
    with db.read() as s:
        result = verify(s)  # must answer, not raise
    assert not result.ok
    assert any(seq == highest + 1 for seq, _ in result.problems), result.problems


# -- 6. the key of an account from before signing ------------------------------------------


def test_a_key_put_in_for_an_administrator_from_before_signing_stops_their_sign_in(
    db, insider
) -> None:
    """After the upgrade, the administrator has not signed in yet, so the trail gives them
    no key. The insider introduces a key of their own making for the administrator with
    a self-signed ``user.key_created``, then signs as the administrator."""
    as_before_signing(db)
    begin_signing(db)  # the first start of this version
    private, public = crypto.new_signing_pair()
    fp = crypto.fingerprint(public)
    with db.read() as s:
        admin_id = s.scalar(select(User.id).where(User.login == "admin"))
    with insider() as conn:
        conn.execute(
            text(
                "INSERT INTO user_key (user_id, fingerprint, public_key, wrapped, salt, kdf, "
                "provisional, retired_at, created_at) VALUES (:u, :fp, :pub, 'x', 'x', '{}', "
                ":f, :at, :at)"
            ),
            {"u": admin_id, "fp": fp, "pub": public.hex(), "f": False, "at": utcnow()},
        )
        append_event(
            conn,
            db.audit_key,
            "admin",
            "user.key_created",
            signer=(fp, private),
            object_type="user",
            object_id=str(admin_id),
            details=canonical_details({"login": "admin", "key": fp, "provisional": False}),
        )
        append_event(
            conn,
            db.audit_key,
            "admin",
            "case.close",
            signer=(fp, private),
            object_type="case",
            object_id="1",
            details=canonical_details({"note": "closed by the administrator"}),
        )
    with db.read() as s:
        result = verify(s)
        forged = s.scalar(
            select(AuditEvent.details).where(AuditEvent.event_type == "user.key_created")
        )
    assert json.loads(forged)["key"] == fp
    # Until a person signs in once after the upgrade, the trail cannot tell their first key
    # from one made in their name (docs/security.md says so, and to have everyone sign in
    # once): verify takes the self-introduced key. What holds is the owner's next sign-in:
    # the key does not open with their password, they are told, and nothing is done.
    assert result.ok
    with pytest.raises(AuthenticationError, match="signing key does not open"):
        authenticate(db, "admin", PASSWORD)


def test_a_junk_start_of_signing_never_crashes_verify_or_the_evidence_check(
    db, admin, item, insider
) -> None:
    """The threshold is read from the first ``audit.signing_begins`` by number, valid or
    not; one put in at number 0 whose ``bound_from`` is a list is not the shape read."""
    number, item_id = item
    with insider() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, outcome, "
                "details, prev_mac, mac) VALUES (0, :at, 'system', 'x', 'audit.signing_begins', "
                "'ok', '{\"bound_from\":[1]}', :z, :z)"
            ),
            {"at": utcnow(), "z": GENESIS},
        )
    with db.read() as s:
        result = verify(s)  # must answer, not raise
    assert not result.ok and any(seq == 0 for seq, _ in result.problems), result.problems
    assert evidence_verdicts(db, admin, number)[item_id]["verified"]  # the item is intact


def test_a_junk_row_at_the_highest_number_never_stops_sign_in(db, admin, insider) -> None:
    """docs/security.md: "A bad row never stops anyone from signing in." The next number
    is one past the highest in the table: a row at the largest number a column holds
    leaves no next one."""
    with insider() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, outcome, "
                "details, prev_mac, mac) VALUES (:s, :at, 'x', 'x', 'junk', 'ok', '{}', :z, :z)"
            ),
            {"s": 2**63 - 1, "at": utcnow(), "z": GENESIS},
        )
    actor = authenticate(db, "admin", PASSWORD)
    assert actor.role == "ia_admin"
