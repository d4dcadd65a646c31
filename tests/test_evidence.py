"""Screenshot evidence: accepted types, hostile files refused with nothing stored (active
PDFs, files wrapped in PDF markers, polyglots, images without their end), duplicates
warned, content-addressed storage, the viewer's bounded rendition made in the worker,
verification, export and the custody log."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import struct
import zipfile

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from ia_desk.audit.trail import verify
from ia_desk.casefile.read import show_case
from ia_desk.cli import main as cli_main
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
    view_evidence,
)
from ia_desk.settings import set_setting

from .conftest import PASSWORD, go_around_the_app


def image_bytes(fmt: str, size=(64, 48), colour="navy", **kw) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **kw)
    return out.getvalue()


def gif_two_frames() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("P", (40, 30), i) for i in (1, 2)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def pdf_bytes(build=None, pages: int = 1) -> bytes:
    """A real PDF of blank Letter pages; ``build(pdf)`` may add to it first."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    if build:
        build(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def with_link(pdf) -> None:  # a "print to PDF" of a post keeps its links: inert
    pdf.pages[0].obj.Annots = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array([0, 0, 10, 10]),
                A=pikepdf.Dictionary(
                    S=pikepdf.Name.URI, URI=pikepdf.String("https://facebook.example/p/1")
                ),
            )
        ]
    )


PDF = pdf_bytes()


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
        return [e.id for e in add_evidence(s, actor, number, list(items)).evidence]


def last_event(db) -> tuple[str, str, dict]:
    """The newest audit event: its type, outcome and details."""
    with db.read() as s:
        e = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        return e.event_type, e.outcome, json.loads(e.details)


def assert_refused(db, admin, case, name, data, reason):
    """The file is refused naming it and why, nothing is stored, the refusal audited."""
    before = counts(db)
    with pytest.raises(RefusedInput) as info:
        add(db, admin, case, EvidenceInput(data, name))
    message = info.value.message
    assert message.startswith(f"{name}: refused: ") and "Nothing was stored" in message
    assert reason in message, message
    assert info.value.field == "file"
    assert counts(db) == before
    event, outcome, details = last_event(db)
    assert (event, outcome, details["file_name"]) == ("evidence.add", "refused", name)
    return message


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
        (lambda: image_bytes("JPEG", progressive=True, optimize=True), "image/jpeg"),
        (
            lambda: image_bytes("PNG", save_all=True, append_images=[Image.new("RGB", (64, 48))]),
            "image/png",
        ),
        (lambda: image_bytes("WEBP", lossless=True), "image/webp"),
        (lambda: image_bytes("TIFF", compression="tiff_lzw"), "image/tiff"),
        (lambda: image_bytes("TIFF", big_tiff=True), "image/tiff"),
        (
            lambda: image_bytes("TIFF", save_all=True, append_images=[Image.new("RGB", (64, 48))]),
            "image/tiff",
        ),
        (lambda: pdf_bytes(with_link, pages=3), "application/pdf"),
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


SEEDS = {
    "png": lambda: image_bytes("PNG", (40, 30)),
    "jpg": lambda: image_bytes("JPEG", (40, 30)),
    "gif": gif_two_frames,
    "webp": lambda: image_bytes("WEBP", (40, 30)),
    "bmp": lambda: image_bytes("BMP", (40, 30)),
    "tif": lambda: image_bytes("TIFF", (40, 30)),
    "pdf": lambda: pdf_bytes(with_link),
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.floats(0, 1)),
    tail=st.binary(max_size=40),
)
def test_damaged_files_of_every_accepted_type_never_crash_intake(
    db, admin, case, kind, edits, cut, tail
):
    data = bytearray(SEEDS[kind]())
    for where, value in edits:
        data[int(where * (len(data) - 1))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    before = counts(db)
    try:
        add(db, admin, case, EvidenceInput(bytes(data) + tail, f"damaged.{kind}"))
    except RefusedInput as exc:
        assert exc.message.startswith(f"damaged.{kind}: refused: ")
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


# ---------------------------------------------------------------- active and disguised PDFs


def _action(**fields):
    return pikepdf.Dictionary(**fields)


def _annotation(pdf, **fields) -> None:
    pdf.pages[0].obj.Annots = pikepdf.Array(
        [pikepdf.Dictionary(Type=pikepdf.Name.Annot, Rect=pikepdf.Array([0, 0, 10, 10]), **fields)]
    )


N = pikepdf.Name
ACTIVE_PDFS = [
    (
        "open-js.pdf",
        lambda pdf: setattr(
            pdf.Root, "OpenAction", _action(S=N.JavaScript, JS=pikepdf.String("app.alert(1)"))
        ),
        "JavaScript (an /OpenAction)",
    ),
    (
        "open-js-indirect.pdf",
        lambda pdf: setattr(
            pdf.Root,
            "OpenAction",
            pdf.make_indirect(_action(S=N.JavaScript, JS=pdf.make_stream(b"app.alert(1)"))),
        ),
        "JavaScript (an /OpenAction)",
    ),
    (
        "doc-js.pdf",
        lambda pdf: setattr(
            pdf.Root,
            "Names",
            pikepdf.Dictionary(
                JavaScript=pikepdf.Dictionary(
                    Names=pikepdf.Array(
                        [pikepdf.String("s"), _action(S=N.JavaScript, JS=pikepdf.String("1"))]
                    )
                )
            ),
        ),
        "JavaScript (document scripts in /Names)",
    ),
    (
        "page-aa.pdf",
        lambda pdf: setattr(
            pdf.pages[0].obj,
            "AA",
            pikepdf.Dictionary(O=_action(S=N.JavaScript, JS=pikepdf.String("1"))),
        ),
        "/AA actions that run by themselves",
    ),
    (
        "launch.pdf",
        lambda pdf: setattr(
            pdf.Root, "OpenAction", _action(S=N.Launch, F=pikepdf.String("cmd.exe"))
        ),
        "a /Launch action that starts a program or opens a file (an /OpenAction)",
    ),
    (
        "attached.pdf",
        lambda pdf: pdf.attachments.__setitem__(
            "payload.exe", pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not a document")
        ),
        "embedded files (/EmbeddedFiles)",
    ),
    (
        "annotation-file.pdf",
        lambda pdf: _annotation(
            pdf,
            Subtype=N.FileAttachment,
            FS=pikepdf.AttachedFileSpec(pdf, b"MZ payload").obj,
        ),
        "a file attachment (/FileAttachment)",
    ),
    (
        "flash.pdf",
        lambda pdf: _annotation(pdf, Subtype=N.RichMedia),
        "rich media (/RichMedia)",
    ),
    (
        "xfa.pdf",
        lambda pdf: setattr(
            pdf.Root,
            "AcroForm",
            pikepdf.Dictionary(Fields=pikepdf.Array([]), XFA=pdf.make_stream(b"<xdp:xdp/>")),
        ),
        "an XFA form (/XFA)",
    ),
    (
        "submit.pdf",
        lambda pdf: _annotation(
            pdf,
            Subtype=N.Link,
            A=_action(S=N.SubmitForm, F=pikepdf.String("https://collector.example/")),
        ),
        "a /SubmitForm action that sends form data away",
    ),
    (
        "import.pdf",
        lambda pdf: _annotation(
            pdf, Subtype=N.Link, A=_action(S=N.ImportData, F=pikepdf.String("data.fdf"))
        ),
        "an /ImportData action that loads data from a file",
    ),
]


@pytest.mark.parametrize(("name", "build", "found"), ACTIVE_PDFS)
def test_a_pdf_with_active_content_is_refused_saying_what_it_carries(
    db, admin, case, name, build, found
):
    message = assert_refused(db, admin, case, name, pdf_bytes(build), found)
    assert f"{name}: refused: the PDF carries " in message
    assert "save or print it as a plain PDF or an image first" in message


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1) + os.urandom(3000)
PE = b"MZ\x90\x00\x03" + bytes(55) + struct.pack("<I", 64) + b"PE\x00\x00" + os.urandom(3000)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("elf.pdf", b"%PDF-1.7\n" + ELF + b"\n%%EOF\n", "does not parse as a PDF"),
        ("pe.pdf", b"%PDF-1.4\n%\xe2\xe3\n" + PE + b"\n%%EOF", "does not parse as a PDF"),
        (
            "pe-startxref.pdf",
            b"%PDF-1.4\n" + PE + b"\nstartxref\n9\n%%EOF\n",
            "does not parse as a PDF",
        ),
        ("no-pages.pdf", pdf_bytes(pages=0), "the PDF has no pages"),
        ("zip-after.pdf", PDF + b"PK\x03\x04" + os.urandom(200), "data follows the end of the PDF"),
        (
            "zip-inside-end.pdf",
            PDF[: PDF.rindex(b"%%EOF")] + b"PK\x03\x04" + os.urandom(200) + b"\n%%EOF\n",
            "the PDF does not end as a PDF does",
        ),
    ],
)
def test_a_file_wrapped_in_pdf_markers_is_refused(db, admin, case, name, data, reason):
    assert_refused(db, admin, case, name, data, reason)


def test_a_password_protected_pdf_is_refused(db, admin, case):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o-secret", user="u-secret"))
    assert_refused(db, admin, case, "locked.pdf", out.getvalue(), "password-protected")


# ---------------------------------------------------------------- images: their end


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", b"MZ" + os.urandom(500))
    return out.getvalue()


def png_without_iend() -> bytes:
    data = image_bytes("PNG")
    assert data.endswith(b"IEND\xaeB`\x82")
    return data[:-12]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "polyglot.png",
            lambda: image_bytes("PNG") + zip_archive(),
            "data follows the end of the PNG image (a hidden second file?)",
        ),
        (
            "no-end.png",
            png_without_iend,
            "the PNG image is damaged or truncated: its end (the IEND chunk) is missing",
        ),
        (
            "tail.jpg",
            lambda: image_bytes("JPEG") + zip_archive(),
            "data follows the end of the JPEG image (a hidden second file?)",
        ),
        (
            "no-eoi.jpg",
            lambda: image_bytes("JPEG")[:-2],
            "the JPEG image is damaged or truncated: its end (the EOI marker",
        ),
        (
            "tail.gif",
            lambda: image_bytes("GIF") + b"hidden",
            "data follows the end of the GIF image (a hidden second file?)",
        ),
        ("no-trailer.gif", lambda: image_bytes("GIF")[:-1], "its end (the trailer) is missing"),
        (
            "tail.webp",
            lambda: image_bytes("WEBP") + zip_archive(),
            "data follows the end of the WebP image (a hidden second file?)",
        ),
        (
            "tail.bmp",
            lambda: image_bytes("BMP") + zip_archive(),
            "data follows the end of the BMP image (a hidden second file?)",
        ),
        (
            "header-lies.bmp",  # the header's file size stretched over the appended archive
            lambda: (lambda b, z: b[:2] + struct.pack("<I", len(b) + len(z)) + b[6:] + z)(
                image_bytes("BMP"), zip_archive()
            ),
            "data follows the end of the BMP image (a hidden second file?)",
        ),
        (
            "tail.tif",
            lambda: image_bytes("TIFF") + zip_archive(),
            "data follows the end of the TIFF image (a hidden second file?)",
        ),
        (
            "tail-big.tif",
            lambda: image_bytes("TIFF", big_tiff=True) + b"\x01hidden",
            "data follows the end of the TIFF image (a hidden second file?)",
        ),
    ],
)
def test_an_image_with_data_after_its_end_or_without_its_end_is_refused(
    db, admin, case, name, data, reason
):
    assert_refused(db, admin, case, name, data(), reason)


def test_the_cli_refuses_a_polyglot_with_exit_2_naming_the_file(
    db, db_url, admin, case, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "post.png"
    path.write_bytes(image_bytes("PNG") + zip_archive())
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert cli_main(["--db", db_url, "evidence", "add", case, str(path)]) == 2
    err = capsys.readouterr().err
    assert "post.png: refused: data follows the end of the PNG image" in err
    assert "Traceback" not in err
    assert counts(db) == (0, 0)
    assert last_event(db)[:2] == ("evidence.add", "refused")


# ---------------------------------------------------------------- duplicates


def duplicate_events(db) -> list[list[str] | None]:
    with db.read() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.event_type == "evidence.add", AuditEvent.outcome == "ok")
            .order_by(AuditEvent.seq)
        )
        return [json.loads(r.details).get("duplicate_of") for r in rows]


def test_a_file_already_evidence_is_added_and_warned_with_its_case_numbers(db, admin, open_report):
    first = open_report().case.number
    second = open_report().case.number
    data = image_bytes("PNG", colour="purple")
    with db.write(admin) as s:
        assert add_evidence(s, admin, first, [EvidenceInput(data, "post.png")]).warnings == []
    with db.write(admin) as s:
        added = add_evidence(s, admin, first, [EvidenceInput(data, "again.png")])
        (warning,) = added.warnings
    assert warning.evidence_id == added.evidence[0].id
    assert "again.png" in warning.message and "already on this case" in warning.message
    with db.write(admin) as s:
        (warning,) = add_evidence(s, admin, second, [EvidenceInput(data, "copy.png")]).warnings
    assert f"already stored as evidence on {first}" in warning.message
    assert warning.other_cases == (first,)
    assert counts(db) == (3, 1)
    assert duplicate_events(db) == [None, [first], [first]]


def test_a_supervisor_is_warned_without_case_numbers(db, admin, make_user, open_report):
    sup = make_user("supervisor")
    other = open_report().case.number
    own = open_report(actor=sup).case.number
    data = image_bytes("PNG", colour="olive")
    add(db, admin, other, EvidenceInput(data, "seen-by-ia.png"))
    with db.write(sup) as s:
        added = add_evidence(
            s, sup, own, [EvidenceInput(data, "mine.png"), EvidenceInput(data, "mine-2.png")]
        )
    elsewhere, both = (w.message for w in added.warnings)
    assert "already stored as evidence elsewhere" in elsewhere
    assert "already on this case and stored as evidence elsewhere" in both
    assert other not in elsewhere + both and "IA-" not in elsewhere + both
    assert duplicate_events(db)[-2:] == [[other], sorted([other, own])]  # audited in full


def test_the_cli_prints_the_duplicate_warning(db, db_url, case, tmp_path, monkeypatch, capsys):
    path = tmp_path / "post.png"
    path.write_bytes(image_bytes("PNG", colour="maroon"))
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert cli_main(["--db", db_url, "evidence", "add", case, str(path)]) == 0
    assert "warning" not in capsys.readouterr().err
    assert cli_main(["--db", db_url, "evidence", "add", case, str(path), "--json"]) == 0
    out = capsys.readouterr()
    assert "warning: post.png: the same file" in out.err and "already on this case" in out.err
    assert "already on this case" in json.loads(out.out)[0]["warning"]
    assert counts(db) == (2, 1)


# ---------------------------------------------------------------- the viewer's rendition


def test_a_large_image_is_viewed_as_a_bounded_rendition_made_in_the_worker(
    db, admin, case, monkeypatch
):
    big = image_bytes("PNG", (5000, 3000), "navy")  # 15 M pixels, over the 8.3 M bound
    (eid,) = add(db, admin, case, EvidenceInput(big, "wide.png"))
    opened = []
    real_open = Image.open
    # This process's own decoder is never asked: the worker is another process.
    monkeypatch.setattr(Image, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    view = view_evidence(db, admin, eid)
    assert opened == []
    monkeypatch.undo()
    r = view.rendition
    assert r.width * r.height <= decode.VIEW_MAX_PIXELS and r.width / r.height == pytest.approx(
        5000 / 3000, rel=0.01
    )
    assert (r.source_width, r.source_height) == (5000, 3000)
    assert r.describe().startswith("Shown at 74% of 5,000 × 3,000 pixels")
    with Image.open(io.BytesIO(r.png)) as shown:
        assert shown.format == "PNG" and shown.size == (r.width, r.height)
    assert view.metadata["verified"] is True
    assert [e["event"] for e in view.custody] == ["evidence.add", "evidence.view"]


def test_a_pdf_is_viewed_as_its_first_page_and_a_small_image_at_full_size(db, admin, case):
    (pdf_id, png_id) = add(
        db,
        admin,
        case,
        EvidenceInput(pdf_bytes(with_link, pages=2), "post.pdf"),
        EvidenceInput(image_bytes("PNG", (300, 200)), "small.png"),
    )
    page = view_evidence(db, admin, pdf_id).rendition
    assert (page.width, page.height, page.pages, page.dpi) == (1700, 2200, 2, 200)
    assert page.describe().startswith("Page 1 of 2, rendered at 200 dpi")
    small = view_evidence(db, admin, png_id).rendition
    assert (small.width, small.height, small.describe()) == (300, 200, "")


def test_an_item_that_cannot_be_rendered_is_still_a_verified_audited_view(db, admin, case):
    (eid,) = add(db, admin, case, EvidenceInput(image_bytes("PNG"), "shot.png"))
    with db.read() as s:
        sha = s.get(Evidence, eid).sha256
    tamper(db, sha)
    view = view_evidence(db, admin, eid)
    assert view.rendition is None and "cannot be shown here" in view.problem
    assert view.metadata["verified"] is False
    assert view.custody[-1]["event"] == "evidence.view"
    assert view.custody[-1]["outcome"] == "mismatch"


def test_an_item_stored_before_the_end_checks_is_still_shown():
    polyglot = image_bytes("PNG", (90, 60)) + zip_archive()
    with pytest.raises(decode.Unreadable, match="data follows the end"):
        decode.inspect(polyglot)
    assert decode.render(polyglot, "image/png").width == 90
