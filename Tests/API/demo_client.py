#!/usr/bin/env python3
"""Talks to a running `mi-server demo` the way clients do, for the API fuzz run (run-schemathesis.sh).

    demo_client.py tokens --base http://127.0.0.1:PORT --accounts DATA/demo-accounts.json   -> JSON {integration, doctor, administrator}
    demo_client.py seed   --base http://127.0.0.1:PORT --token INTEGRATION_TOKEN [--config schemathesis.toml]

`tokens` gets an integration token by client credentials (HTTP Basic), and doctor and administrator tokens by the
authorization code flow with PKCE (RFC 7636, S256), posting the login form of /oauth/authorize as a browser would,
without one.
`seed` uploads generated DICOM objects (a 2-frame CT and an RGB secondary capture, one multipart request), a RIS order
and two reports (text, PDF), and with --config writes a schemathesis.toml whose dictionaries name them, so that the
fuzzer reaches real series, frames, previews and report pages.
"""
import argparse
import base64
import hashlib
import json
import secrets
import struct
import sys
import time
import urllib.parse

import requests

TIMEOUT = 15


def fail(message):
    sys.exit(f"demo_client: {message}")


# ---------------------------------------------------------------- tokens

def integration_token(base, accounts):
    client = next((c for c in accounts["clients"] if c["client_id"] == "mi-integration"), None)
    if client is None or not client.get("client_secret"):
        fail("demo-accounts.json has no mi-integration client with a secret")
    r = requests.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                      auth=(client["client_id"], client["client_secret"]), timeout=TIMEOUT)
    if r.status_code != 200:
        fail(f"client credentials: {r.status_code} {r.text[:300]}")
    return r.json()["access_token"]


def user_token(base, accounts, role):
    """Authorization code + PKCE for the demo account of `role`, through the public web client `mi-web`."""
    account = next((a for a in accounts["accounts"] if a["role"] == role), None)
    web = next((c for c in accounts["clients"] if c["client_id"] == "mi-web"), None)
    if account is None or web is None:
        fail(f"demo-accounts.json lacks the {role} account or the mi-web client")
    port = urllib.parse.urlsplit(base).port
    redirect = next((u for u in web["redirect_uris"] if f":{port}/" in u), web["redirect_uris"][0])
    verifier = secrets.token_urlsafe(48)                      # 64 characters of [A-Za-z0-9_-]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(12)
    request = {"response_type": "code", "client_id": web["client_id"], "redirect_uri": redirect, "scope": "openid profile api",
               "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
    with requests.Session() as session:
        page = session.get(f"{base}/oauth/authorize", params=request, timeout=TIMEOUT)
        if page.status_code != 200 or 'name="password"' not in page.text:
            fail(f"login page: {page.status_code} {page.text[:300]}")
        login = session.post(f"{base}/oauth/authorize", data={**request, "username": account["username"], "password": account["password"]},
                             allow_redirects=False, timeout=TIMEOUT)
        if login.status_code != 302:
            fail(f"login: {login.status_code} {login.text[:300]}")
        location = urllib.parse.urlsplit(login.headers["Location"])
        answer = dict(urllib.parse.parse_qsl(location.query))
        if answer.get("state") != state or "code" not in answer:
            fail(f"login redirect without code or with the wrong state: {login.headers['Location']}")
        if f"{location.scheme}://{location.netloc}{location.path}" != redirect:
            fail(f"redirected to {login.headers['Location']}, not {redirect}")
        token = session.post(f"{base}/oauth/token", data={"grant_type": "authorization_code", "code": answer["code"], "code_verifier": verifier,
                                                          "redirect_uri": redirect, "client_id": web["client_id"]}, timeout=TIMEOUT)
        if token.status_code != 200:
            fail(f"code exchange: {token.status_code} {token.text[:300]}")
        return token.json()["access_token"]


# ---------------------------------------------------------------- a tiny DICOM writer (explicit VR little endian)

LONG_VRS = {"OB", "OW", "OF", "SQ", "UT", "UN"}


def element(group, elem, vr, value):
    if isinstance(value, str):
        data = value.encode("utf-8")
        if len(data) % 2:
            data += b"\0" if vr == "UI" else b" "
    else:
        data = value
        if len(data) % 2:
            data += b"\0"
    head = struct.pack("<HH", group, elem) + vr.encode()
    if vr in LONG_VRS:
        return head + b"\0\0" + struct.pack("<I", len(data)) + data
    return head + struct.pack("<H", len(data)) + data


def us(value):
    return struct.pack("<H", value)


def part10(elements, sop_class, sop_instance):
    ts = "1.2.840.10008.1.2.1"
    meta = b"".join([element(0x0002, 0x0001, "OB", b"\0\1"), element(0x0002, 0x0002, "UI", sop_class),
                     element(0x0002, 0x0003, "UI", sop_instance), element(0x0002, 0x0010, "UI", ts),
                     element(0x0002, 0x0012, "UI", "2.25.1")])
    group_length = element(0x0002, 0x0000, "UL", struct.pack("<I", len(meta)))
    body = b"".join(element(*e) for e in sorted(elements, key=lambda e: (e[0], e[1])))
    return b"\0" * 128 + b"DICM" + group_length + meta + body


def uid():
    return "2.25." + str(int.from_bytes(secrets.token_bytes(15), "big"))


def exam(accession):
    """A 2-frame 16-bit signed CT (8x8, with rescale and a window) and an RGB secondary capture of one study:
    (study UID, [(series UID, SOP Instance UID, Part 10 bytes)])."""
    study, ct_series, sc_series = uid(), uid(), uid()
    common = [(0x0008, 0x0005, "CS", "ISO_IR 192"), (0x0008, 0x0020, "DA", "20260115"), (0x0008, 0x0030, "TM", "093000"), (0x0008, 0x0050, "SH", accession),
              (0x0008, 0x0080, "LO", "Demo General Hospital"), (0x0008, 0x1030, "LO", "CT CHEST"),
              (0x0010, 0x0010, "PN", "Fuzz^Test=测试"), (0x0010, 0x0020, "LO", "FUZZ-1"), (0x0010, 0x0030, "DA", "19800101"),
              (0x0010, 0x0040, "CS", "O"), (0x0020, 0x000D, "UI", study)]
    ct_uid = uid()
    pixels = b"".join(struct.pack("<h", ((x * 97 + y * 31 + f * 13) % 3000) - 1000) for f in range(2) for y in range(8) for x in range(8))
    ct = part10(common + [
        (0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2"), (0x0008, 0x0018, "UI", ct_uid), (0x0008, 0x0060, "CS", "CT"),
        (0x0018, 0x0015, "CS", "CHEST"), (0x0018, 0x0050, "DS", "1.25"),
        (0x0020, 0x000E, "UI", ct_series), (0x0020, 0x0011, "IS", "1"), (0x0020, 0x0013, "IS", "1"),
        (0x0020, 0x0032, "DS", "-100\\-100\\20"), (0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
        (0x0028, 0x0002, "US", us(1)), (0x0028, 0x0004, "CS", "MONOCHROME2"), (0x0028, 0x0008, "IS", "2"),
        (0x0028, 0x0010, "US", us(8)), (0x0028, 0x0011, "US", us(8)), (0x0028, 0x0030, "DS", "0.5\\0.5"),
        (0x0028, 0x0100, "US", us(16)), (0x0028, 0x0101, "US", us(16)), (0x0028, 0x0102, "US", us(15)), (0x0028, 0x0103, "US", us(1)),
        (0x0028, 0x1050, "DS", "40"), (0x0028, 0x1051, "DS", "400"), (0x0028, 0x1052, "DS", "-1024"), (0x0028, 0x1053, "DS", "1"),
        (0x7FE0, 0x0010, "OW", pixels)], "1.2.840.10008.5.1.4.1.1.2", ct_uid)
    sc_uid = uid()
    rgb = bytes((x * 32 + c * 80 + y * 8) % 256 for y in range(6) for x in range(6) for c in range(3))
    sc = part10(common + [
        (0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7"), (0x0008, 0x0018, "UI", sc_uid), (0x0008, 0x0060, "CS", "OT"),
        (0x0020, 0x000E, "UI", sc_series), (0x0020, 0x0011, "IS", "2"), (0x0020, 0x0013, "IS", "1"),
        (0x0028, 0x0002, "US", us(3)), (0x0028, 0x0004, "CS", "RGB"), (0x0028, 0x0006, "US", us(0)),
        (0x0028, 0x0010, "US", us(6)), (0x0028, 0x0011, "US", us(6)),
        (0x0028, 0x0100, "US", us(8)), (0x0028, 0x0101, "US", us(8)), (0x0028, 0x0102, "US", us(7)), (0x0028, 0x0103, "US", us(0)),
        (0x7FE0, 0x0010, "OB", rgb)], "1.2.840.10008.5.1.4.1.1.7", sc_uid)
    return study, [(ct_series, ct_uid, ct), (sc_series, sc_uid, sc)]


MINIMAL_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj
4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def seed(base, token, admin_token):
    """Uploads the exam, an order and two reports, registers a doctor; returns the identifiers, by kind (accounts
    other than the administrator's own, so that an administrator's fuzzing does not lock itself out)."""
    headers = {"Authorization": f"Bearer {token}"}
    accession = "FZ" + secrets.token_hex(4).upper()
    study, objects = exam(accession)
    boundary = "mi-" + secrets.token_hex(8)
    body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + o + b"\r\n" for _, _, o in objects)
    body += b"--" + boundary.encode() + b"--\r\n"
    r = requests.post(f"{base}/api/v1/instances", data=body, timeout=TIMEOUT,
                      headers={**headers, "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'})
    if r.status_code != 200 or any(item["status"] != "stored" for item in r.json()["items"]):
        fail(f"upload: {r.status_code} {r.text[:500]}")
    order = {"accessionNumber": "FO" + secrets.token_hex(4).upper(), "patientId": "FUZZ-2", "patientName": "Order^Only",
             "modality": "MR", "scheduledTime": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"), "visitType": "outpatient"}
    r = requests.post(f"{base}/api/v1/integration/orders", json=order, headers=headers, timeout=TIMEOUT)
    if r.status_code != 201:
        fail(f"order: {r.status_code} {r.text[:300]}")
    made = {"studies": [study, r.json()["studyInstanceUID"]], "series": [series for series, _, _ in objects],
            "instances": [sop for _, sop, _ in objects], "frames": [1, 2], "reports": [], "pages": [1, 2]}
    for report in ({"studyInstanceUID": study, "title": "Text report", "text": "No acute findings."},
                   {"accessionNumber": accession, "title": "PDF report", "pdf": base64.b64encode(MINIMAL_PDF).decode()}):
        r = requests.post(f"{base}/api/v1/integration/reports", json=report, headers=headers, timeout=TIMEOUT)
        if r.status_code != 201:
            fail(f"report: {r.status_code} {r.text[:300]}")
        made["reports"].append(r.json()["id"])
    registration = {"name": "Fuzz Doctor", "phone": "13900000000", "hospitalId": "demo-general", "department": "放射科",
                    "title": "医师", "username": "fuzz-" + secrets.token_hex(3), "password": "Fuzz#2026x"}
    r = requests.post(f"{base}/api/v1/registrations", json=registration, timeout=TIMEOUT)
    if r.status_code != 201:
        fail(f"registration: {r.status_code} {r.text[:300]}")
    made["registrations"] = [r.json()["id"]]
    admin = {"Authorization": f"Bearer {admin_token}"}
    me = requests.get(f"{base}/api/v1/me", headers=admin, timeout=TIMEOUT).json()
    users = requests.get(f"{base}/api/v1/users", headers=admin, timeout=TIMEOUT).json()["items"]
    made["users"] = [u["id"] for u in users if u["id"] != me["id"]]
    made["clients"] = ["mi-gateway", "mi-web"]
    return made


def schemathesis_config(made):
    """A schemathesis.toml that gives the path parameters of the exam's operations the seeded identifiers half of
    the time (the other half stays generated), so that series, frames, previews and report pages get real data."""
    def toml_list(values):
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"
    lines = []
    for name, values in made.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml_list(values)}", ""]
    bindings = [(r"^/api/v1/studies/\\{uid\\}", {"path.uid": "studies"}),
                (r"^/api/v1/series/\\{uid\\}", {"path.uid": "series"}),
                (r"^/api/v1/instances/\\{uid\\}", {"path.uid": "instances", "path.n": "frames"}),
                (r"^/api/v1/reports/\\{id\\}", {"path.id": "reports", "path.n": "pages"}),
                (r"^/api/v1/users/\\{id\\}", {"path.id": "users"}),
                (r"^/api/v1/registrations/\\{id\\}", {"path.id": "registrations"}),
                (r"^/api/v1/clients/\\{id\\}", {"path.id": "clients"})]
    for regex, parameters in bindings:
        pairs = ", ".join(f'"{key}" = {{ dictionary = "{dictionary}", probability = 0.5 }}' for key, dictionary in parameters.items())
        lines += ["[[operations]]", f'include-path-regex = "{regex}"', f"parameters = {{ {pairs} }}", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["tokens", "seed"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--accounts")
    parser.add_argument("--token", help="seed: an integration token")
    parser.add_argument("--admin-token", help="seed: an administrator token, to name accounts and registrations")
    parser.add_argument("--config", help="seed: where to write the schemathesis.toml naming what was seeded")
    args = parser.parse_args()
    if args.command == "tokens":
        with open(args.accounts, encoding="utf-8") as f:
            accounts = json.load(f)
        print(json.dumps({"integration": integration_token(args.base, accounts), "doctor": user_token(args.base, accounts, "doctor"),
                          "administrator": user_token(args.base, accounts, "administrator")}))
    else:
        made = seed(args.base, args.token, args.admin_token)
        if args.config:
            with open(args.config, "w", encoding="utf-8") as f:
                f.write(schemathesis_config(made))
        print(made["studies"][0])


if __name__ == "__main__":
    main()
