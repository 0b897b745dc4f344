/// The three fonts of a report and how text is split between them.
///
/// ASCII goes to the standard Type 1 fonts Helvetica and Helvetica-Bold, which every reader has (ISO 32000-1 §9.6.2.2).
/// Everything else goes to STSong-Light, a predefined Adobe-GB1 CID font that is not embedded, through the predefined
/// CMap UniGB-UCS2-H, so that a code is simply a character's UTF-16 value (§9.7.5.2). Readers substitute an installed
/// Chinese font (poppler through fontconfig, PDFium and pdf.js through their own tables). A ToUnicode CMap of the
/// characters used lets text extraction work even where the predefined CMaps are missing.
enum PDFFont: CaseIterable {
    case regular
    case bold
    case chinese

    /// The resource name used in content streams.
    var resourceName: String {
        switch self {
        case .regular: "F1"
        case .bold: "F2"
        case .chinese: "F3"
        }
    }

    /// The font used for `scalar` when the text asks for `self` (bold or regular).
    static func forScalar(_ scalar: Unicode.Scalar, bold: Bool) -> PDFFont {
        scalar.value < 0x80 ? (bold ? .bold : .regular) : .chinese
    }

    /// Advance width of `scalar` in thousandths of an em.
    static func width(of scalar: Unicode.Scalar, bold: Bool) -> Int {
        let v = Int(scalar.value)
        guard v < 0x80 else { return 1000 }
        guard v >= 32 else { return 0 }
        return (bold ? helveticaBoldWidths : helveticaWidths)[v - 32]
    }

    /// Width of `text` in points at `size`.
    static func width(of text: String, size: Double, bold: Bool = false) -> Double {
        Double(text.unicodeScalars.reduce(0) { $0 + width(of: $1, bold: bold) }) * size / 1000
    }

    /// Helvetica advance widths of ASCII 32–126 (Adobe's AFM, StandardEncoding, which agrees with WinAnsi there
    /// except for the quotes, whose widths are close enough for layout).
    static let helveticaWidths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]

    /// Helvetica-Bold advance widths of ASCII 32–126.
    static let helveticaBoldWidths: [Int] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ]

    /// Splits `text` into runs of one font each, with the run's text encoded for a `Tj` operator: a literal string for
    /// Helvetica, UTF-16BE hex for STSong-Light. Characters outside the Basic Multilingual Plane, which UCS-2 cannot
    /// code, print as `?`.
    static func runs(_ text: String, bold: Bool) -> [(font: PDFFont, operand: String, codes: [UInt16])] {
        var runs: [(font: PDFFont, scalars: [Unicode.Scalar])] = []
        for var scalar in text.unicodeScalars {
            if scalar.value > 0xFFFF || (scalar.value < 32) { scalar = "?" }
            let font = forScalar(scalar, bold: bold)
            if let last = runs.last, last.font == font {
                runs[runs.count - 1].scalars.append(scalar)
            } else {
                runs.append((font, [scalar]))
            }
        }
        return runs.map { run in
            switch run.font {
            case .chinese:
                let codes = run.scalars.map { UInt16($0.value) }
                return (.chinese, "<" + codes.map(PDFString.hex4).joined() + ">", codes)
            case .regular, .bold:
                var s = String.UnicodeScalarView()
                s.append(contentsOf: run.scalars)
                return (run.font, PDFString.literal(String(s)), [])
            }
        }
    }

    /// Writes the font dictionaries into `document` and returns the resource dictionary entries
    /// (`/F1 4 0 R /F2 5 0 R /F3 6 0 R`). `chineseCodes` are the UCS-2 codes used with STSong-Light, for its ToUnicode CMap.
    static func addResources(to document: inout PDFDocumentBuilder, chineseCodes: Set<UInt16>) -> String {
        let regular = document.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        let bold = document.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        // Metrics of STSong-Light as the PDF reference's examples and common writers give them (§9.8, Table 122).
        let descriptor = document.add("""
            << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 \
            /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>
            """)
        let cidFont = document.add("""
            << /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
            /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor \(descriptor) 0 R /DW 1000 >>
            """)
        let toUnicode = document.addStream(Array(toUnicodeCMap(chineseCodes.sorted()).utf8))
        let chinese = document.add("""
            << /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H \
            /DescendantFonts [\(cidFont) 0 R] /ToUnicode \(toUnicode) 0 R >>
            """)
        return "/F1 \(regular) 0 R /F2 \(bold) 0 R /F3 \(chinese) 0 R"
    }

    /// A ToUnicode CMap mapping each used two-byte code to itself as UTF-16 (§9.10.3), at most 100 entries a block.
    static func toUnicodeCMap(_ codes: [UInt16]) -> String {
        var cmap = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange

            """
        var start = 0
        while start < codes.count {
            let block = codes[start..<min(start + 100, codes.count)]
            cmap += "\(block.count) beginbfchar\n"
            for code in block { cmap += "<\(PDFString.hex4(code))> <\(PDFString.hex4(code))>\n" }
            cmap += "endbfchar\n"
            start += 100
        }
        cmap += """
            endcmap
            CMapName currentdict /CMap defineresource pop
            end
            end
            """
        return cmap
    }
}
