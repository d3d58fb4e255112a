"""Fuzzing the parser with mutated corpus messages: it returns a ParsedEmail or raises
ParseError, never anything else."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.intake.email.parser import ParsedEmail, ParseError, parse_email

CORPUS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "email").glob("*.eml"))
SEEDS = [path.read_bytes()[:20_000] for path in CORPUS]

NASTY = [
    b"=?utf-8?B?",
    b"=?x-unknown?Q?=FF=FE?=",
    b"=?utf-8?B?!!!?=",
    b"\r\n\r\n",
    b"\r\n ",
    b"\x00",
    b"\xff\xfe",
    b"--",
    b'boundary=""',
    b"Content-Type: multipart/mixed; boundary=X\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b'charset=""',
    b"filename*0*=bogus''%ZZ;",
    b"From: <>\r\n",
    b"From: a@\r\n",
    b"<",
    b">",
    b"=\r\n",
    b"=ZZ",
    b"Content-Type: text/plain; charset*=utf-8''koi8-r\r\n",
    b"Content-Type: multipart/report; report-type*=''x; boundary=B\r\n",
    b"Content-Disposition: attachment; filename*=''\r\n",
    b"Date: Tue, 99 Foo 99999 99:99:99 +9999\r\n",
]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "delete", "insert", "nasty", "truncate", "dup"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif action == "nasty":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif action == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_mutated_mail_never_raises_anything_but_parse_error(raw: bytes):
    try:
        parsed = parse_email(raw)
    except ParseError:
        return
    assert isinstance(parsed, ParsedEmail)
    assert isinstance(parsed.visible_text, str)
    assert all(isinstance(a.content, bytes) for a in parsed.attachments)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_parse_error(raw: bytes):
    with contextlib.suppress(ParseError):
        parse_email(raw)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["From", "Subject", "Cc", "Content-Type", "In-Reply-To", "Date", "X"]),
            st.text(max_size=80),
        ),
        max_size=8,
    ),
    st.text(max_size=300),
)
def test_arbitrary_header_text_never_raises_anything_but_parse_error(headers, body):
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8", "replace")
    with contextlib.suppress(ParseError):
        parse_email(b"From: a@b.example\r\n" + raw + b"\r\n" + body.encode("utf-8", "replace"))
