/// Writes an `ImagingReport` as a PDF 1.4 document on A4 pages: hospital, title "影像诊断报告 / Imaging Report", patient
/// and exam details, findings, impression, physicians and date, and a footer with page numbers. Text that does not fit
/// one page flows onto more.
///
/// Our own minimal writer, with no dependency: uncompressed content streams, Helvetica for ASCII and the predefined
/// Chinese font STSong-Light (not embedded, see `PDFFont`) for everything else. The output depends only on the report,
/// so the same report always gives the same bytes.
///
/// ```swift
/// let pdf: [UInt8] = PDFReportWriter().render(report)
/// try Data(pdf).write(to: url)
/// ```
public struct PDFReportWriter: Sendable {
    /// Page width and height of A4 in points (210 × 297 mm).
    public static let a4 = (width: 595.28, height: 841.89)

    /// Makes a writer.
    public init() {}

    /// The report as the bytes of a PDF file.
    public func render(_ report: ImagingReport) -> [UInt8] {
        var layout = PDFReportLayout()
        layout.lay(report)
        return layout.document(title: "影像诊断报告 \(report.patientName) \(report.accessionNumber)", author: report.hospitalName,
                               creationDate: Self.pdfDate(report.reportDate))
    }

    /// "2026-11-02 11:05" as a PDF date "D:20261102110500+08'00'" (§7.9.4); China Standard Time, as the demo's times are.
    static func pdfDate(_ printed: String) -> String {
        let digits = printed.unicodeScalars.filter { $0.properties.numericType != nil }.map { Character($0) }
        var value = String(digits.prefix(14))
        while value.count < 14 { value += "0" }
        return "D:\(value)+08'00'"
    }
}

/// Lays a report out into page content streams, top to bottom, starting a new page when the next line does not fit.
struct PDFReportLayout {
    static let left = 56.0
    static let right = PDFReportWriter.a4.width - 56
    static let top = PDFReportWriter.a4.height - 52
    static let bottom = 78.0

    private(set) var pages: [String] = []
    private var current = ""
    private var y = top
    private(set) var chineseCodes: Set<UInt16> = []

    /// Appends operators to the current page.
    private mutating func emit(_ operators: String) { current += operators + "\n" }

    /// Moves down by `height`, starting a new page first if that would cross the bottom margin.
    private mutating func advance(_ height: Double) {
        keepTogether(height)
        y -= height
    }

    /// Starts a new page unless `height` more fits on this one.
    private mutating func keepTogether(_ height: Double) {
        if y - height < Self.bottom {
            pages.append(current)
            current = ""
            y = Self.top
        }
    }

    /// Text at (`x`, baseline `y`), switching fonts between runs. Bold Chinese is drawn filled and stroked
    /// (rendering mode 2), since STSong-Light has no bold face.
    private mutating func text(_ string: String, x: Double, y: Double, size: Double, bold: Bool = false, gray: Double = 0) {
        guard !string.isEmpty else { return }
        var ops = "BT \(Self.number(gray)) g \(Self.number(gray)) G \(Self.number(x)) \(Self.number(y)) Td"
        for run in PDFFont.runs(string, bold: bold) {
            let fakeBold = bold && run.font == .chinese
            ops += " /\(run.font.resourceName) \(Self.number(size)) Tf \(fakeBold ? "2 Tr \(Self.number(size * 0.035)) w" : "0 Tr") \(run.operand) Tj"
            chineseCodes.formUnion(run.codes)
        }
        emit(ops + " ET")
    }

    private mutating func centered(_ string: String, size: Double, bold: Bool = false, gray: Double = 0, lineHeight: Double) {
        advance(lineHeight)
        let width = PDFFont.width(of: string, size: size, bold: bold)
        text(string, x: (PDFReportWriter.a4.width - width) / 2, y: y, size: size, bold: bold, gray: gray)
    }

    private mutating func rule(gap: Double, width: Double = 0.6) {
        advance(gap)
        emit("0 G \(Self.number(width)) w \(Self.number(Self.left)) \(Self.number(y)) m \(Self.number(Self.right)) \(Self.number(y)) l S")
    }

    /// Lays out the whole report.
    mutating func lay(_ r: ImagingReport) {
        centered(r.hospitalName, size: 18, bold: true, lineHeight: 18)
        centered(r.hospitalEnglishName, size: 10, gray: 0.35, lineHeight: 15)
        centered("影像诊断报告", size: 20, bold: true, lineHeight: 32)
        centered("Imaging Report", size: 11, bold: true, gray: 0.35, lineHeight: 16)
        rule(gap: 12, width: 1.2)

        let sex = ["M": "男 M", "F": "女 F", "O": "其他 O"][r.sex] ?? r.sex
        var fields: [(String, String)] = [
            ("姓名 Name", "\(r.patientName) \(r.patientNamePinyin)"), ("性别 Sex", sex),
            ("年龄 Age", r.age), ("患者编号 Patient ID", r.patientID),
            ("检查号 Accession No.", r.accessionNumber), ("检查类型 Modality", r.modality),
            ("检查部位 Body part", r.bodyPart), ("检查日期 Exam date", r.examDate),
            ("就诊类型 Visit", r.visitType), ("申请科室 Department", r.department),
            ("申请医生 Referring", r.referringPhysician),
        ]
        if let admission = r.admissionID { fields.append(("住院号 Admission ID", admission)) }
        advance(6)
        let column = (Self.right - Self.left) / 2
        for pair in stride(from: 0, to: fields.count, by: 2) {
            advance(19)
            for (offset, field) in fields[pair..<min(pair + 2, fields.count)].enumerated() {
                let x = Self.left + Double(offset) * column
                text(field.0, x: x, y: y, size: 9, gray: 0.35)
                text(field.1, x: x + 98, y: y, size: 11)
            }
        }
        advance(19)
        text("检查项目 Exam", x: Self.left, y: y, size: 9, gray: 0.35)
        text(r.examDescription, x: Self.left + 98, y: y, size: 11)
        rule(gap: 12)

        section("检查所见 Findings", paragraphs: r.findings)
        section("诊断意见 Impression", paragraphs: r.impression)

        keepTogether(16 + 22 + 20)   // the signature block stays in one piece
        rule(gap: 16)
        advance(22)
        text("报告医生 Reporting physician", x: Self.left, y: y, size: 9, gray: 0.35)
        text(r.reportingPhysician, x: Self.left + 132, y: y, size: 11)
        text("审核医生 Reviewing physician", x: Self.left + column, y: y, size: 9, gray: 0.35)
        text(r.reviewingPhysician, x: Self.left + column + 132, y: y, size: 11)
        advance(20)
        text("报告日期 Report date", x: Self.left, y: y, size: 9, gray: 0.35)
        text(r.reportDate, x: Self.left + 132, y: y, size: 11)
        pages.append(current)
        current = ""
    }

    /// A heading and its paragraphs, each wrapped to the text width with its first line indented by two characters.
    private mutating func section(_ heading: String, paragraphs: [String]) {
        keepTogether(26 + 4 + 19)   // never a heading alone at the foot of a page
        advance(26)
        text(heading, x: Self.left, y: y, size: 12.5, bold: true)
        advance(4)
        let size = 11.0, leading = 19.0
        for paragraph in paragraphs {
            let indent = 2 * size
            for (index, line) in Self.wrap(paragraph, width: Self.right - Self.left, firstIndent: indent, size: size).enumerated() {
                advance(leading)
                text(line, x: Self.left + (index == 0 ? indent : 0), y: y, size: size)
            }
        }
    }

    /// Greedy line breaking: a break may fall before any Chinese character or at a space between ASCII words, but never
    /// before closing punctuation: when that would overflow, the character before it moves down with it (kinsoku shori,
    /// simplified).
    static func wrap(_ text: String, width: Double, firstIndent: Double, size: Double) -> [String] {
        var tokens: [String] = []
        var word = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 && scalar != " " {
                word.unicodeScalars.append(scalar)
                continue
            }
            if !word.isEmpty { tokens.append(word); word = "" }
            tokens.append(String(Character(scalar)))
        }
        if !word.isEmpty { tokens.append(word) }

        let closing: Set<String> = ["，", "。", "、", "；", "：", "）", "》", "」", "？", "！", ",", ".", ";", ":", ")", "%"]
        func measure(_ line: [String]) -> Double { line.reduce(0) { $0 + PDFFont.width(of: $1, size: size) } }
        var lines: [[String]] = []
        var line: [String] = []
        var available = width - firstIndent
        for token in tokens {
            guard measure(line + [token]) > available, !line.isEmpty else {
                line.append(token)
                continue
            }
            var next = [token]
            if closing.contains(token), line.count > 1 { next.insert(line.removeLast(), at: 0) }
            lines.append(line)
            line = next == [" "] ? [] : next
            available = width
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { $0.joined().trimmingTrailingSpaces }
    }

    /// The document: one page object per laid-out page, each with the footer and "第 n 页 / 共 N 页".
    func document(title: String, author: String, creationDate: String) -> [UInt8] {
        var footer = PDFReportLayout()
        var pageStreams: [String] = []
        for (index, content) in pages.enumerated() {
            footer.current = ""
            footer.emit("0.5 G 0.4 w \(Self.number(Self.left)) 58 m \(Self.number(Self.right)) 58 l S")
            footer.text("本报告仅供临床参考。演示数据，非真实患者。 For clinical reference only. Demo data, not a real patient.",
                        x: Self.left, y: 44, size: 7.5, gray: 0.4)
            let number = "第 \(index + 1) 页 / 共 \(pages.count) 页"
            footer.text(number, x: Self.right - PDFFont.width(of: number, size: 8), y: 44, size: 8, gray: 0.4)
            pageStreams.append(content + footer.current)
        }
        let codes = chineseCodes.union(footer.chineseCodes)

        var document = PDFDocumentBuilder()
        let catalog = document.reserve()
        let pageTree = document.reserve()
        let fonts = PDFFont.addResources(to: &document, chineseCodes: codes)
        var kids: [Int] = []
        for stream in pageStreams {
            let contents = document.addStream(Array(stream.utf8))
            kids.append(document.add("""
                << /Type /Page /Parent \(pageTree) 0 R /MediaBox [0 0 \(Self.number(PDFReportWriter.a4.width)) \(Self.number(PDFReportWriter.a4.height))] \
                /Resources << /Font << \(fonts) >> /ProcSet [/PDF /Text] >> /Contents \(contents) 0 R >>
                """))
        }
        document.set(pageTree, "<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) >>")
        document.set(catalog, "<< /Type /Catalog /Pages \(pageTree) 0 R >>")
        let info = document.add("""
            << /Title \(PDFString.text(title)) /Author \(PDFString.text(author)) /Producer (MI Platform PDFReportWriter) \
            /CreationDate (\(creationDate)) >>
            """)
        return document.bytes(root: catalog, info: info)
    }

    /// A number for a content stream: at most two decimals, no exponent, no trailing zeros.
    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(magnitude / 100)" }
        let digits = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(sign)\(magnitude / 100).\(digits)"
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
