"""Schemathesis hooks for run-schemathesis.sh (loaded through SCHEMATHESIS_HOOKS): how to put DICOM uploads on the
wire, which schemathesis has no serializer for."""
import uuid

import schemathesis
from schemathesis.transport import register_serializer
from schemathesis.transport.serialization import serialize_binary

# A single object: the bytes as they are.
schemathesis.serializer.alias("application/dicom", "application/octet-stream")


def multipart_related(ctx, value):
    """`multipart/related; type="application/dicom"` (PS3.18 STOW-RS style): one part per generated object. Registered
    on the transports directly, since `schemathesis.serializer` functions return a body only and this one needs its
    boundary in the Content-Type."""
    items = value.get("file", []) if isinstance(value, dict) else value
    if not isinstance(items, list):
        items = [items]
    boundary = "mi-fuzz-" + uuid.uuid4().hex
    body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + serialize_binary(item) + b"\r\n"
                    for item in items)
    body += b"--" + boundary.encode() + b"--\r\n"
    return {"data": body, "headers": {"Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'}}


register_serializer(multipart_related, "multipart/related")
