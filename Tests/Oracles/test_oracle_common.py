#!/usr/bin/env python3
"""test_oracle_common.py — unit tests of the comparison rules in oracle_common.py
(standard library only). Run: python3 -m unittest Tests/Oracles/test_oracle_common.py
or directly; selftest.sh runs it.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import DCM2JSON_QUIRKS, compare_models  # noqa: E402


def el(vr, *values, **kw):
    e = {"vr": vr}
    if values:
        e["Value"] = list(values)
    e.update(kw)
    return e


class CompareTests(unittest.TestCase):
    def same(self, ref, ours, **kw):
        c = compare_models(ref, ours, **kw)
        self.assertEqual(c.diffs, [], c.diffs)
        return c

    def differ(self, ref, ours, **kw):
        c = compare_models(ref, ours, **kw)
        self.assertNotEqual(c.diffs, [])
        return c

    def test_strings_trailing_padding(self):
        self.same({"00100020": el("LO", "ABC ")}, {"00100020": el("LO", "ABC\x00")})
        self.differ({"00100020": el("LO", "ABC")}, {"00100020": el("LO", " ABC")})

    def test_missing_value_equals_empty(self):
        self.same({"00100020": el("LO")}, {"00100020": {"vr": "LO", "Value": []}})
        self.same({"00100020": el("LO")}, {"00100020": el("LO", "")})
        self.differ({"00100020": el("LO")}, {"00100020": el("LO", "A")})

    def test_missing_and_extra_tags(self):
        c = self.differ({"00100020": el("LO", "A")}, {})
        self.assertIn("/00100020", c.diffs[0])
        self.differ({}, {"00100020": el("LO", "A")})

    def test_numbers(self):
        self.same({"00181050": el("DS", 0.1)}, {"00181050": el("DS", "0.10000000000000001")})
        self.differ({"00181050": el("DS", 0.1)}, {"00181050": el("DS", 0.1000001)})
        self.same({"00200013": el("IS", 12)}, {"00200013": el("IS", "0012")})
        self.differ({"00280010": el("US", 512)}, {"00280010": el("US", 513)})
        self.same({"00189089": el("FL", 0.10000000149011612)}, {"00189089": el("FL", 0.1)})
        self.differ({"00189089": el("FL", 0.1)}, {"00189089": el("FL", 0.1001)})
        self.same({"00189089": el("FD", float("nan"))}, {"00189089": el("FD", float("nan"))})

    def test_pn_groups(self):
        r = {"00100010": el("PN", {"Alphabetic": "Yamada^Tarou", "Ideographic": "山田^太郎"})}
        self.same(r, {"00100010": el("PN", {"Alphabetic": "Yamada^Tarou ", "Ideographic": "山田^太郎"})})
        c = self.differ(r, {"00100010": el("PN", {"Alphabetic": "Yamada^Tarou"})})
        self.assertIn("Ideographic", c.diffs[0])

    def test_pn_carets_only_with_dcm2json_quirks(self):
        r = {"00100010": el("PN", {"Alphabetic": "OB^^^^"}), "00080090": el("PN", {"Alphabetic": "^^^^"})}
        o = {"00100010": el("PN", {"Alphabetic": "OB"}), "00080090": el("PN")}
        self.differ(r, o)
        self.same(r, o, quirks=DCM2JSON_QUIRKS)

    def test_at(self):
        self.same({"00209165": el("AT", "0010001a")}, {"00209165": el("AT", "0010001A")})
        self.differ({"00209165": el("AT", "00100010")}, {"00209165": el("AT", "00100020")})

    def test_sequences_recurse(self):
        r = {"00081115": el("SQ", {"0020000E": el("UI", "1.2.3")}, {"0020000E": el("UI", "1.2.4")})}
        self.same(r, {"00081115": el("SQ", {"0020000E": el("UI", "1.2.3")}, {"0020000E": el("UI", "1.2.4")})})
        c = self.differ(r, {"00081115": el("SQ", {"0020000E": el("UI", "1.2.3")}, {"0020000E": el("UI", "1.2.5")})})
        self.assertTrue(c.diffs[0].startswith("/00081115/Value/1/0020000E/Value/0"), c.diffs)
        self.differ(r, {"00081115": el("SQ", {"0020000E": el("UI", "1.2.3")})})

    def test_binary_ignored_unless_binary_mode(self):
        r = {"7FE00010": el("OW", InlineBinary="AAA="), "00291010": el("OB", InlineBinary="AQI=")}
        self.same(r, {})
        self.same(r, {"7FE00010": el("OW", InlineBinary="AAE=")})
        self.differ(r, {"7FE00010": el("OW", InlineBinary="AAE="), "00291010": el("OB", InlineBinary="AQI=")},
                    binary=True)
        self.same(r, dict(r), binary=True)

    def test_vr_differences(self):
        c = self.same({"00191010": el("SH", "X")}, {"00191010": el("UN", InlineBinary="WA==")})
        self.assertEqual(len(c.warnings), 1)
        c = self.same({"00080020": el("DA", "20200101")}, {"00080020": el("UN", InlineBinary="MjAyMDAxMDE=")})
        self.assertEqual(len(c.warnings), 1)
        self.differ({"00080020": el("DA", "20200101")}, {"00080020": el("DT", "20200101")})

    def test_group_length_and_meta(self):
        c = self.same({"00080000": el("UL", 100), "00020010": el("UI", "1.2")}, {})
        self.assertEqual(len(c.warnings), 1)
        self.same({"00080000": el("UL", 100)}, {"00080000": el("UL", 90)}, ignore_group_length=True)

    def test_charset_quirk(self):
        r = {"00080005": el("CS", "ISO_IR 100")}
        o = {"00080005": el("CS", "ISO_IR 192")}
        self.differ(r, o)
        self.same(r, o, quirks=DCM2JSON_QUIRKS)


if __name__ == "__main__":
    unittest.main()
