"""Screenshot evidence: accepted types, hostile files refused with nothing stored,
content-addressed storage, verification, export and the custody log."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from ia_desk.audit.trail import verify
from ia_desk.cases.queries import show_case
from ia_desk.db.models import AuditEvent, Evidence, EvidenceBlob
from ia_desk.errors import InputError, PermissionDenied, RefusedInput
from ia_desk.evidence import decode
from ia_desk.evidence.store import (
    EvidenceInput,
    add_evidence,
    custody_log,
    export_evidence,
    open_evidence,
    verify_all,
)
from ia_desk.settings import set_setting

from .conftest import go_around_the_app


def image_bytes(fmt: str, size=(64, 48), colour="navy", **kw) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **kw)
    return out.getvalue()


def gif_two_frames() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("P", (40, 30), i) for i in (1, 2)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def counts(db) -> tuple[int, int]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Evidence)) or 0,
            s.scalar(select(func.count()).select_from(EvidenceBlob)) or 0,
        )


@pytest.fixture
def case(open_report):
    return open_report().case.number


def add(db, actor, number, *items):
    with db.write(actor) as s:
        return [e.id for e in add_evidence(s, actor, number, list(items))]


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (lambda: image_bytes("PNG"), "image/png"),
        (lambda: image_bytes("JPEG"), "image/jpeg"),
        (lambda: image_bytes("WEBP"), "image/webp"),
        (gif_two_frames, "image/gif"),
        (lambda: image_bytes("BMP"), "image/bmp"),
        (lambda: image_bytes("TIFF"), "image/tiff"),
        (lambda: PDF, "application/pdf"),
    ],
)
def test_accepted_types_are_stored_with_their_metadata(db, admin, case, data, media):
    payload = data()
    (eid,) = add(
        db,
        admin,
        case,
        EvidenceInput(
            payload,
            "capture.bin",
            source_url="https://facebook.example/p/1",
            captured_at=dt.datetime(
                2026, 10, 30, 21, 5, tzinfo=dt.timezone(dt.timedelta(hours=-6))
            ),
            note="Post seen by the reporter.",
        ),
    )
    with db.read() as s:
        e = s.get(Evidence, eid)
        assert e.media_type == media and e.size == len(payload)
        assert e.captured_at == dt.datetime(2026, 10, 31, 3, 5)  # stored in UTC
        assert e.captured_by.login == "admin" and e.workstation and e.captured_tz
        if media != "application/pdf":
            assert (e.width, e.height) in ((64, 48), (40, 30))


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (8200, 8200)).save(out, "PNG")  # 67 M pixels, a few kB on disk
    return out.getvalue()


HOSTILE = [
    ("bomb.png", bomb, "decompression bomb"),
    ("half.png", lambda: image_bytes("PNG", (300, 300), "red")[:400], "damaged or truncated"),
    ("random.png", lambda: bytes(range(256)) * 8, "not an image"),
    ("empty.png", lambda: b"", "empty"),
    ("../../etc/passwd.png", lambda: image_bytes("PNG"), "path"),
    ("bell\x07.png", lambda: image_bytes("PNG"), "control characters"),
    ("CON.png", lambda: image_bytes("PNG"), "reserved by Windows"),
    ("nul.jpg", lambda: image_bytes("JPEG"), "reserved by Windows"),
    ("notes.txt", lambda: b"just some text\n" * 20, "not an image"),
    ("cut.pdf", lambda: PDF[:20], "truncated"),
]


@pytest.mark.parametrize(("name", "data", "reason"), HOSTILE)
def test_hostile_files_are_refused_naming_the_file_and_nothing_is_stored(
    db, admin, case, name, data, reason
):
    before = counts(db)
    with pytest.raises(RefusedInput, match=reason) as info:
        add(db, admin, case, EvidenceInput(data(), name))
    assert "Nothing was stored" in info.value.message
    assert counts(db) == before
    with db.read() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (last.event_type, last.outcome) == ("evidence.add", "refused")


def test_a_file_over_the_size_cap_is_refused(db, admin, case):
    with db.write(admin) as s:
        set_setting(s, admin, "evidence_max_mb", 1)
    big = image_bytes("BMP", (700, 700))  # about 1.4 MB
    with pytest.raises(RefusedInput, match="over the limit of 1 MB"):
        add(db, admin, case, EvidenceInput(big, "big.bmp"))
    assert counts(db) == (0, 0)


def test_one_bad_file_among_several_stores_none(db, admin, case):
    with pytest.raises(RefusedInput, match="random.png"):
        add(
            db,
            admin,
            case,
            EvidenceInput(image_bytes("PNG"), "good.png"),
            EvidenceInput(b"\x89PNG garbage", "random.png"),
        )
    assert counts(db) == (0, 0)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=st.binary(min_size=0, max_size=4096))
def test_random_bytes_never_crash_intake(db, admin, case, payload):
    before = counts(db)
    try:
        add(db, admin, case, EvidenceInput(payload, "fuzz.png"))
    except RefusedInput:
        assert counts(db) == before


def test_same_image_twice_is_stored_once_and_linked_twice(db, admin, case):
    data = image_bytes("PNG")
    add(db, admin, case, EvidenceInput(data, "a.png"))
    add(db, admin, case, EvidenceInput(data, "copy-of-a.png", method="clipboard"))
    assert counts(db) == (2, 1)


def test_case_show_lists_items_verified(db, admin, case):
    (eid,) = add(db, admin, case, EvidenceInput(image_bytes("PNG"), "shot.png"))
    with db.read() as s:
        items = show_case(s, admin, case)["evidence"]
    assert items[0]["id"] == eid and items[0]["verified"] is True
    assert items[0]["file_name"] == "shot.png" and len(items[0]["sha256"]) == 64


def tamper(db, sha256: str) -> None:
    go_around_the_app(
        db,
        "UPDATE evidence_blob SET data = :d WHERE sha256 = :h",
        d=b"\x89PNG forged bytes",
        h=sha256,
    )


def test_tampering_with_a_blob_is_detected_everywhere(db, admin, case, tmp_path):
    data = image_bytes("PNG")
    (eid,) = add(db, admin, case, EvidenceInput(data, "shot.png"))
    with db.read() as s:
        sha = s.get(Evidence, eid).sha256
    tamper(db, sha)
    with db.write(admin) as s:
        results = verify_all(s, admin, case)
    assert results[0]["verified"] is False
    with db.read() as s:
        assert show_case(s, admin, case)["evidence"][0]["verified"] is False
    with db.write(admin) as s:
        target, sidecar, ok = export_evidence(s, admin, eid, tmp_path)
    assert not ok and "MISMATCH" in json.loads(sidecar.read_text())["warning"]


def test_export_writes_original_and_sidecar_under_names_of_our_own(db, admin, case, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    data = image_bytes("JPEG")
    (eid,) = add(
        db, admin, case, EvidenceInput(data, "IMG_2041 (1).jpg", source_url="https://x.example/p")
    )
    with db.write(admin) as s:
        target, sidecar, ok = export_evidence(s, admin, eid, tmp_path)
    assert ok and target.read_bytes() == data
    assert target.name.startswith(f"{case}-E{eid:04d}-") and target.suffix == ".jpg"
    meta = json.loads(sidecar.read_text())
    assert meta["file_name"] == "IMG_2041 (1).jpg" and meta["verified"] is True
    assert meta["source_url"] == "https://x.example/p"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, sidecar.name])


def test_custody_log_records_add_view_and_export(db, admin, case, tmp_path, make_user):
    (eid,) = add(db, admin, case, EvidenceInput(image_bytes("PNG"), "shot.png"))
    chief = make_user("command_staff")
    with db.read() as s:
        meta, data = open_evidence(s, chief, eid)
        assert meta["verified"] and data[:4] == b"\x89PNG"
    with db.write(admin) as s:
        export_evidence(s, admin, eid, tmp_path)
    with db.read() as s:
        log = custody_log(s, admin, eid)
    assert [(r["event"], r["user"]) for r in log] == [
        ("evidence.add", "admin"),
        ("evidence.view", chief.login),
        ("evidence.export", "admin"),
    ]
    with db.read() as s:
        assert verify(s).ok


def test_who_may_add_evidence(db, admin, make_user, open_report):
    sup = make_user("supervisor")
    own = open_report(actor=sup).case.number
    other = open_report().case.number
    add(db, sup, own, EvidenceInput(image_bytes("PNG"), "from-supervisor.png"))
    with pytest.raises(PermissionDenied):
        add(db, sup, other, EvidenceInput(image_bytes("PNG"), "x.png"))
    chief = make_user("command_staff")
    with pytest.raises(PermissionDenied):
        add(db, chief, other, EvidenceInput(image_bytes("PNG"), "x.png"))


def test_bad_capture_details_are_refused(db, admin, case):
    with pytest.raises(InputError, match="source_url"):
        add(db, admin, case, EvidenceInput(image_bytes("PNG"), "a.png", source_url="ftp://x"))
    with pytest.raises(InputError, match="captured_at: lies in the future"):
        add(
            db,
            admin,
            case,
            EvidenceInput(
                image_bytes("PNG"), "a.png", captured_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
            ),
        )


def test_a_dead_decoder_is_replaced_and_the_app_goes_on():
    decode.inspect(image_bytes("PNG"))
    pool = decode._get_pool()
    for proc in list(pool._processes.values()):
        proc.kill()
        proc.join()
    with pytest.raises(decode.Unreadable):
        decode.inspect(image_bytes("PNG"))
    assert decode.inspect(image_bytes("PNG")).media_type == "image/png"
