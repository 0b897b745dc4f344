"""Shared helpers for the oracle tests (Tests/Oracles/*.py).

* pydicom_model(path)    -> pydicom's DICOM JSON Model of a file's data set
                            (no File Meta), or {"error": "..."}.
* dcm2json_model(path)   -> DCMTK dcm2json's model of the same, or {"error": ...}.
* run_json_tool(cmd, ..) -> runs a command that prints a JSON model on stdout.
* compare_models(ref, ours, binary=...) -> (differences, warnings), a semantic
  comparison of two DICOM JSON Models (PS3.18 Annex F).

Only the standard library is needed, except pydicom_model (pydicom, from
.venv-test). Run the scripts with .venv-test/bin/python.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shlex
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

TAG_RE = re.compile(r"^[0-9A-Fa-f]{8}$")

# VRs whose JSON form is InlineBinary / BulkDataURI, i.e. "binary" elements.
BULK_VRS = {"OB", "OW", "OD", "OF", "OL", "OV", "UN", "OB or OW", "US or OW", "US or SS or OW"}
# Pixel data and its float variants, ignored in non-binary comparisons.
PIXEL_TAGS = {"7FE00008", "7FE00009", "7FE00010"}
INT_VRS = {"IS", "US", "SS", "UL", "SL", "SV", "UV"}
FLOAT_VRS = {"DS", "FD", "FL"}
PN_GROUPS = ("Alphabetic", "Ideographic", "Phonetic")
FLOAT_REL_TOL = 1e-12

# Normalisations for a dcm2json reference (DCMTK 3.6.7), found on pydicom's corpus:
#  * it converts all text to UTF-8 and then writes Specific Character Set
#    (0008,0005) as "ISO_IR 192" (even where the file had none): its value is
#    not compared;
#  * it drops trailing empty PN components ("OB^^^^" -> "OB", "^^^^" -> no value):
#    PN groups are compared with trailing '^' removed, an all-empty PN is empty;
#  * it drops group length elements (gggg,0000) (a warning anyway).
DCM2JSON_QUIRKS = frozenset({"charset-is-utf8", "pn-trailing-carets"})


# --------------------------------------------------------------------- models
# Bytes per value of the "other" VRs that are byte-swapped in big endian.
_SWAP_WIDTH = {"OW": 2, "OL": 4, "OF": 4, "OD": 8, "OV": 8}


def _swap_to_little_endian(js: dict[str, Any], vr: str) -> None:
    """pydicom writes InlineBinary in the byte order of the file; the JSON
    model (PS3.18 F.2.7) wants the Little Endian octet stream."""
    width = _SWAP_WIDTH.get(vr)
    if not width or "InlineBinary" not in js:
        return
    raw = base64.b64decode(js["InlineBinary"])
    n = len(raw) - len(raw) % width
    swapped = b"".join(raw[i:i + width][::-1] for i in range(0, n, width)) + raw[n:]
    js["InlineBinary"] = base64.b64encode(swapped).decode("ascii")


def _pydicom_element(elem, path: str, problems: list[str], big_endian: bool = False) -> dict[str, Any]:
    """One element's JSON dict; recursion into SQ items is done here (not by
    pydicom) so that an element pydicom cannot convert only marks itself."""
    from pydicom.valuerep import VR

    if elem.VR == VR.SQ:
        items = []
        for i, item in enumerate(elem.value):
            items.append(_pydicom_dataset(item, f"{path}/Value/{i}", problems, big_endian))
        out: dict[str, Any] = {"vr": "SQ"}
        if items:
            out["Value"] = items
        return out
    try:
        js = elem.to_json_dict(bulk_data_element_handler=None, bulk_data_threshold=1 << 62)
        if big_endian:
            _swap_to_little_endian(js, str(elem.VR))
        return js
    except Exception as exc:  # invalid value pydicom cannot put in JSON
        msg = f"{type(exc).__name__}: {exc}"
        problems.append(f"{path}: {msg}")
        return {"vr": str(elem.VR), "pydicomError": msg}


def _pydicom_dataset(ds, path: str, problems: list[str], big_endian: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tag in ds.keys():
        key = f"{int(tag):08X}"
        try:
            elem = ds[tag]  # resolves ambiguous VRs, converts raw elements
        except Exception as exc:
            msg = f"{type(exc).__name__}: {exc}"
            problems.append(f"{path}/{key}: {msg}")
            out[key] = {"vr": "UN", "pydicomError": msg}
            continue
        out[key] = _pydicom_element(elem, f"{path}/{key}", problems, big_endian)
    return out


def pydicom_model(path: str) -> dict[str, Any]:
    """pydicom's DICOM JSON Model of the data set (File Meta excluded).

    Binary values are always InlineBinary, in Little Endian byte order (pydicom
    itself keeps a big endian file's byte order; swapped here). An element that pydicom reads but
    cannot convert becomes {"vr": VR, "pydicomError": "..."}; if reading or
    walking the data set raises, the result is {"error": "Type: message"}.
    """
    import warnings

    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path, force=True)
            problems: list[str] = []
            enc = getattr(ds, "original_encoding", (None, True))
            big_endian = enc[1] is False
            model = _pydicom_dataset(ds, "", problems, big_endian)
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
    # A dataset without File Meta may carry group 0002 inline; drop it.
    return {k: v for k, v in model.items() if not k.startswith("0002")}


@dataclass
class ToolResult:
    rc: int
    model: dict[str, Any] | None  # parsed stdout, None if not JSON
    stderr: str
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0 and self.model is not None


def run_json_tool(cmd: list[str], timeout: float = 120) -> ToolResult:
    """Run cmd; parse its stdout as JSON (None when empty or not JSON)."""
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ToolResult(-1, None, "", f"timed out after {timeout}s")
    except OSError as exc:
        return ToolResult(-1, None, "", f"cannot run {cmd[0]}: {exc}")
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace").strip()
    model = None
    note = ""
    if out.strip():
        try:
            model = json.loads(out)
        except json.JSONDecodeError as exc:
            note = f"stdout is not JSON ({exc})"
    if model is not None and not isinstance(model, dict):
        note, model = "stdout is JSON but not an object", None
    return ToolResult(p.returncode, model, err, note)


def dcm2json_model(path: str, timeout: float = 120) -> ToolResult:
    """DCMTK's dcm2json (no File Meta by default). +fc off to keep it small.

    Quirks: -ee lets it write NaN/Infinity (Python's json reads them); a
    failed conversion exits non-zero, often with partial output. Compare with
    compare_models(..., quirks=DCM2JSON_QUIRKS) for the rest (see there).
    """
    res = run_json_tool(["dcm2json", "-fc", "-ee", path], timeout)
    if res.rc != 0 and "compressed pixel data" in res.stderr:
        # dcm2json 3.6.7 refuses encapsulated Pixel Data (exit 81); pixel data
        # is not compared anyway, so convert a copy without it.
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "nopixels.dcm")
            shutil.copyfile(path, copy)
            p = subprocess.run(["dcmodify", "-q", "-nb", "-ea", "(7fe0,0010)", copy], capture_output=True)
            if p.returncode == 0:
                res = run_json_tool(["dcm2json", "-fc", "-ee", copy], timeout)
                res.note = "converted without Pixel Data (encapsulated)"
    if res.model is not None:
        res.model = {k: v for k, v in res.model.items() if not k.startswith("0002")}
    return res


def split_cmd(cmd: str) -> list[str]:
    return shlex.split(cmd)


# ----------------------------------------------------------------- comparison
@dataclass
class Comparison:
    diffs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _keyword(tag: str) -> str:
    try:
        from pydicom.datadict import keyword_for_tag

        kw = keyword_for_tag(int(tag, 16))
        return f" ({kw})" if kw else ""
    except Exception:
        return ""


def _strip(s: Any) -> Any:
    return s.rstrip(" \x00") if isinstance(s, str) else s


def _is_empty_value(v: Any) -> bool:
    return v is None or (isinstance(v, str) and _strip(v) == "")


def _values(elem: dict[str, Any], pn_carets: bool = False) -> list[Any]:
    """'Value' with a missing key, [], [null] and [""] all meaning empty."""
    v = elem.get("Value")
    if v is None:
        return []
    if not isinstance(v, list):
        v = [v]
    if len(v) == 1 and _is_empty_value(v[0]):
        return []
    if pn_carets and len(v) == 1 and elem.get("vr") == "PN" \
            and not any(_pn_groups(v[0], True).values()):
        return []
    return v


def _as_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip(" \x00"))
        except ValueError:
            try:
                f = float(v.strip(" \x00"))
                return int(f) if f.is_integer() else None
            except ValueError:
                return None
    return None


def _as_float(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip(" \x00"))
        except ValueError:
            return None
    return None


def _float_eq(a: float, b: float, vr: str) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if vr == "FL":
        # A float32 value: equal if both round to the same float32 (a tool may
        # print the shortest float32 repr, pydicom prints the widened double).
        try:
            return struct.pack("<f", a) == struct.pack("<f", b)
        except OverflowError:
            return a == b
    return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=0.0) or a == b


def _pn_groups(v: Any, carets: bool = False) -> dict[str, str]:
    def norm(x: Any) -> str:
        x = _strip(x or "")
        return x.rstrip("^").rstrip(" ") if carets else x

    if isinstance(v, str):  # tolerate "A=I=P" strings
        parts = v.split("=")
        return {g: norm(parts[i]) if i < len(parts) else "" for i, g in enumerate(PN_GROUPS)}
    if isinstance(v, dict):
        return {g: norm(v.get(g)) for g in PN_GROUPS}
    return {g: "" for g in PN_GROUPS} if v is None else {"?": repr(v)}


def _b64(v: Any) -> bytes | None:
    try:
        return base64.b64decode(v, validate=False)
    except Exception:
        return None


def _is_binary_elem(e: dict[str, Any]) -> bool:
    return "InlineBinary" in e or "BulkDataURI" in e


def _is_private(tag: str) -> bool:
    return int(tag[:4], 16) % 2 == 1


class _Comparer:
    def __init__(self, binary: bool, ignore_group_length: bool, quirks: frozenset[str]):
        self.quirks = quirks
        self.pn_carets = "pn-trailing-carets" in quirks
        self.binary = binary
        self.ignore_group_length = ignore_group_length
        self.res = Comparison()

    def diff(self, path: str, msg: str) -> None:
        self.res.diffs.append(f"{path}: {msg}")

    def warn(self, path: str, msg: str) -> None:
        self.res.warnings.append(f"{path}: {msg}")

    def skip_ref(self, tag: str, e: dict[str, Any]) -> bool:
        """Tags left out of a non-binary comparison (decided on the reference)."""
        if self.binary:
            return False
        return tag in PIXEL_TAGS or _is_binary_elem(e) or e.get("vr") in BULK_VRS

    def dataset(self, ref: dict[str, Any], ours: dict[str, Any], path: str) -> None:
        if not isinstance(ours, dict):
            self.diff(path or "/", f"ours is not an object: {type(ours).__name__}")
            return
        rtags = {k.upper(): v for k, v in ref.items() if TAG_RE.match(k)}
        otags = {k.upper(): v for k, v in ours.items() if TAG_RE.match(k)}
        for k in set(ours) - set(otags):
            self.diff(f"{path}/{k}", "key in ours is not a tag")
        for tag in sorted(set(rtags) | set(otags)):
            p = f"{path}/{tag}"
            r, o = rtags.get(tag), otags.get(tag)
            is_gl = tag.endswith("0000") or tag == "FFFCFFFC"  # padding may be dropped too
            if is_gl and self.ignore_group_length:
                continue
            if r is not None and self.skip_ref(tag, r):
                continue
            if r is None:
                if not self.binary and (tag in PIXEL_TAGS or _is_binary_elem(o) or o.get("vr") in BULK_VRS):
                    # binary only in ours: VR disagreement on an ignored element
                    if o.get("vr") == "UN" or _is_private(tag):
                        continue
                if is_gl:
                    self.warn(p, "group length/padding only in ours")
                else:
                    self.diff(p, f"only in ours{_keyword(tag)}")
                continue
            if o is None:
                if is_gl:
                    self.warn(p, "group length/padding only in reference")
                else:
                    self.diff(p, f"missing in ours{_keyword(tag)}")
                continue
            self.element(tag, r, o, p)

    def element(self, tag: str, r: dict[str, Any], o: dict[str, Any], p: str) -> None:
        if not isinstance(o, dict):
            self.diff(p, "ours is not an object")
            return
        if "pydicomError" in r:
            self.warn(p, f"reference could not convert the value ({r['pydicomError']}); value not compared")
            return
        rvr, ovr = r.get("vr"), o.get("vr")
        if {rvr, ovr} == {"OB", "OW"}:
            # e.g. Pixel Data ("OB or OW") read back from implicit VR as OW
            self.warn(p, f"vr {ovr!r} in ours, {rvr!r} in reference (OB/OW); bytes compared")
            self.binary_value(r, o, p)
            return
        if rvr != ovr:
            guessed = "UN" in (rvr, ovr) or _is_private(tag)
            if guessed:
                self.warn(p, f"vr {ovr!r} in ours, {rvr!r} in reference (private/UN; value not compared)")
                return
            self.diff(p, f"vr {ovr!r} in ours, {rvr!r} in reference{_keyword(tag)}")
            return
        vr = rvr
        if tag == "00080005" and "charset-is-utf8" in self.quirks:
            return
        if _is_binary_elem(r) or _is_binary_elem(o):
            self.binary_value(r, o, p)
            return
        rv, ov = _values(r, self.pn_carets), _values(o, self.pn_carets)
        if vr == "SQ":
            if len(rv) != len(ov):
                self.diff(p, f"{len(ov)} items in ours, {len(rv)} in reference")
            for i, (ri, oi) in enumerate(zip(rv, ov)):
                if not isinstance(ri, dict) or not isinstance(oi, dict):
                    if not (_is_empty_value(ri) and _is_empty_value(oi)):
                        self.diff(f"{p}/Value/{i}", "item is not an object")
                    continue
                self.dataset(ri, oi, f"{p}/Value/{i}")
            return
        if len(rv) != len(ov):
            self.diff(p, f"VM {len(ov)} in ours {_short(ov)}, {len(rv)} in reference {_short(rv)}{_keyword(tag)}")
            return
        for i, (a, b) in enumerate(zip(rv, ov)):
            msg = self.value(vr, a, b)
            if msg:
                self.diff(f"{p}/Value/{i}", msg + _keyword(tag))

    def value(self, vr: str, a: Any, b: Any) -> str | None:
        """None if reference value a equals our value b, else a message."""
        if _is_empty_value(a) and _is_empty_value(b):
            return None
        if vr in INT_VRS:
            ia, ib = _as_int(a), _as_int(b)
            if ia is None or ib is None:
                if _strip(str(a)) == _strip(str(b)):
                    return None
                return f"{b!r} in ours, {a!r} in reference"
            return None if ia == ib else f"{b!r} in ours, {a!r} in reference"
        if vr in FLOAT_VRS:
            fa, fb = _as_float(a), _as_float(b)
            if fa is None or fb is None:
                if _strip(str(a)) == _strip(str(b)):
                    return None
                return f"{b!r} in ours, {a!r} in reference"
            return None if _float_eq(fa, fb, vr) else f"{b!r} in ours, {a!r} in reference"
        if vr == "PN":
            ga, gb = _pn_groups(a, self.pn_carets), _pn_groups(b, self.pn_carets)
            bad = [g for g in set(ga) | set(gb) if ga.get(g, "") != gb.get(g, "")]
            if bad:
                return "PN " + ", ".join(f"{g}: {gb.get(g)!r} in ours, {ga.get(g)!r} in reference" for g in sorted(bad))
            return None
        if vr == "AT":
            sa, sb = str(a).upper().strip(), str(b).upper().strip()
            return None if sa == sb else f"{b!r} in ours, {a!r} in reference"
        if isinstance(a, str) and isinstance(b, str):
            return None if _strip(a) == _strip(b) else f"{b!r} in ours, {a!r} in reference"
        return None if a == b else f"{b!r} in ours, {a!r} in reference"

    def binary_value(self, r: dict[str, Any], o: dict[str, Any], p: str) -> None:
        if "BulkDataURI" in r or "BulkDataURI" in o:
            if r.get("BulkDataURI") != o.get("BulkDataURI"):
                self.warn(p, "BulkDataURI present; binary value not compared")
            return
        ra, oa = r.get("InlineBinary"), o.get("InlineBinary")
        if ra is None or oa is None:
            rb, ob = _b64(ra or ""), _b64(oa or "")
            if rb or ob:  # empty on one side only
                self.diff(p, f"InlineBinary {'only in ours' if ra is None else 'missing in ours'}")
            return
        rb, ob = _b64(ra), _b64(oa)
        if rb is None or ob is None:
            self.diff(p, "InlineBinary is not valid base64")
            return
        if rb == ob:
            return
        # JSON is exempt from even-length padding (CP-1920): ignore one pad byte.
        if abs(len(rb) - len(ob)) == 1 and rb.rstrip(b"\x00") == ob.rstrip(b"\x00") \
                and max(len(rb), len(ob)) % 2 == 0:
            return
        n = next((i for i, (x, y) in enumerate(zip(rb, ob)) if x != y), min(len(rb), len(ob)))
        self.diff(p, f"InlineBinary differs: {len(ob)} bytes in ours, {len(rb)} in reference, first difference at byte {n}")


def _short(v: Any, n: int = 60) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 3] + "..."


def compare_models(ref: dict[str, Any], ours: dict[str, Any], *, binary: bool = False,
                   ignore_group_length: bool = False, quirks: frozenset[str] = frozenset()) -> Comparison:
    """Semantic comparison of two DICOM JSON Models; ref is the oracle.

    binary=False: elements whose reference value is binary (InlineBinary or
    BulkDataURI, or a bulk VR) and pixel data are left out. binary=True: they
    are compared byte for byte (decoded base64).
    VR differences on private tags or involving UN are warnings (the VR is a
    guess there) and the value is not compared. Group 0002 is never compared.
    """
    c = _Comparer(binary, ignore_group_length, frozenset(quirks))
    ref = {k: v for k, v in ref.items() if not k.startswith("0002")}
    ours = {k: v for k, v in ours.items() if not k.startswith("0002")}
    c.dataset(ref, ours, "")
    return c.res


def dcm_files(paths: list[str]) -> list[str]:
    """All *.dcm files (recursively) under the given directories / files."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, _dirs, files in os.walk(p):
                out.extend(os.path.join(root, f) for f in files if f.lower().endswith(".dcm"))
        elif os.path.isfile(p):
            out.append(p)
        else:
            print(f"warning: {p} does not exist", file=sys.stderr)
    return sorted(out)


def load_known_differences(path: str) -> dict[str, str]:
    """filename<TAB>reason lines; '#' comments and blank lines ignored."""
    known: dict[str, str] = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, _, reason = line.partition("\t")
            known[name.strip()] = reason.strip()
    return known


def summary_line(passed: int, failed: int) -> str:
    return f"{passed} passed, {failed} failed"
