import Foundation
import Testing
@testable import PlatformServices

@Suite struct PDFReportWriterTests {
    static let report = ImagingReport(
        hospitalName: "演示总医院", hospitalEnglishName: "Demo General Hospital", patientName: "张三", patientNamePinyin: "Zhang San",
        sex: "M", age: "58岁", patientID: "DEMO0001", accessionNumber: "CT20261102001", admissionID: "ZY2026110017", modality: "CT",
        bodyPart: "胸部 Chest", examDescription: "胸部CT平扫 Chest CT", examDate: "2026-11-02 09:30", visitType: "住院 Inpatient",
        department: "呼吸内科", referringPhysician: "孙丽",
        findings: ["右肺中叶见一类圆形实性结节，直径约8 mm，CT值约30 HU。", "肺实质CT值约-855 HU (lung window)."],
        impression: ["右肺中叶实性小结节，建议3个月后复查。"], reportingPhysician: "刘洋", reviewingPhysician: "王强",
        reportDate: "2026-11-02 11:05")

    static func temporaryFile(_ bytes: [UInt8], name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mi-report-\(ProcessInfo.processInfo.processIdentifier)-\(name).pdf")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func documentHasAHeaderAndEndsWithEOF() {
        let pdf = PDFReportWriter().render(Self.report)
        #expect(pdf.starts(with: Array("%PDF-1.4\n".utf8)))
        #expect(String(decoding: pdf.suffix(6), as: UTF8.self) == "%%EOF\n")
    }

    /// startxref points at the table, and every in-use entry at "N 0 obj" for its own N (ISO 32000-1 §7.5.4).
    @Test func crossReferenceOffsetsPointAtTheirObjects() throws {
        let pdf = PDFReportWriter().render(Self.report)
        let text = String(decoding: pdf, as: UTF8.self)   // offsets below are in bytes, so index the byte array
        let startxrefLine = try #require(text.components(separatedBy: "startxref\n").last?.split(separator: "\n").first)
        let xref = try #require(Int(startxrefLine))
        #expect(pdf[xref..<xref + 5].elementsEqual("xref\n".utf8))
        let table = String(decoding: pdf[xref...], as: UTF8.self).split(separator: "\n")
        let header = table[1].split(separator: " ")
        let count = try #require(Int(header[1]))
        #expect(header[0] == "0" && count > 5)
        #expect(table[2] == "0000000000 65535 f ")
        for number in 1..<count {
            let entry = table[2 + number]
            #expect(entry.count == 19 && entry.hasSuffix(" 00000 n "), "entry \(number): \(entry)")
            let offset = try #require(Int(entry.prefix(10)))
            let expected = Array("\(number) 0 obj".utf8)
            #expect(Array(pdf[offset..<offset + expected.count]) == expected, "object \(number)")
        }
        #expect(text.contains("/Size \(count) "))
    }

    @Test func sameReportGivesTheSameBytes() {
        #expect(PDFReportWriter().render(Self.report) == PDFReportWriter().render(Self.report))
    }

    @Test func chineseTextIsCodedAsUTF16InTheCIDFont() {
        let text = String(decoding: PDFReportWriter().render(Self.report), as: UTF8.self)
        #expect(text.contains("/BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H"))
        #expect(text.contains("<5F204E09>"))   // 张三
        #expect(text.contains("<5F20> <5F20>"))   // in the ToUnicode CMap
    }

    /// poppler, an independent reader, extracts the Chinese text: the patient's name, the title and the findings.
    @Test func pdftotextExtractsTheChineseText() throws {
        let url = try Self.temporaryFile(PDFReportWriter().render(Self.report), name: "text")
        defer { try? FileManager.default.removeItem(at: url) }
        guard let result = try Tool.run("pdftotext", ["-enc", "UTF-8", url.path, "-"], package: "poppler-utils poppler-data") else { return }
        #expect(result.status == 0, "\(result.output)")
        // pdftotext drops the spaces between Chinese and Latin text, so compare without spaces.
        let text = result.output.replacingOccurrences(of: " ", with: "")
        for expected in ["张三", "影像诊断报告", "ImagingReport", "演示总医院", "CT20261102001", "实性结节", "-855HU", "刘洋", "第1页/共1页"] {
            #expect(text.contains(expected), "pdftotext output lacks \(expected):\n\(result.output)")
        }
    }

    /// poppler renders glyphs where the title is: the Chinese font resolves to an installed one (fonts-wqy-zenhei).
    @Test func pdftoppmRendersTheChineseTitle() throws {
        let url = try Self.temporaryFile(PDFReportWriter().render(Self.report), name: "render")
        let output = url.deletingPathExtension().path + "-page"
        defer {
            try? FileManager.default.removeItem(at: url)
            try? FileManager.default.removeItem(atPath: output + "-1.pgm")
        }
        guard let result = try Tool.run("pdftoppm", ["-gray", "-r", "72", url.path, output], package: "poppler-utils poppler-data fonts-wqy-zenhei")
        else { return }
        #expect(result.status == 0, "\(result.output)")
        let pgm = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output + "-1.pgm")))
        // Binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
        var newlines = 0, start = 0
        for (i, byte) in pgm.enumerated() where byte == 0x0A {
            newlines += 1
            if newlines == 3 { start = i + 1; break }
        }
        let header = String(decoding: pgm[..<start], as: UTF8.self).split(whereSeparator: \.isWhitespace)
        let width = try #require(Int(header[1]))
        // The title 影像诊断报告 (20 pt, no ASCII on its line) has its baseline 117 pt below the top, centred.
        var dark = 0
        for row in 98...118 {
            for column in 230...365 where pgm[start + row * width + column] < 128 { dark += 1 }
        }
        #expect(dark > 300, "only \(dark) dark pixels where the title should be: is a Chinese font (fonts-wqy-zenhei) installed?")
    }

    @Test func longReportsFlowOntoMorePages() throws {
        var long = Self.report
        long.findings = Array(repeating: "双肺纹理清晰，未见实变影及结节影。心影大小、形态正常。双侧膈面光整，肋膈角锐利。胸廓对称，气管居中，纵隔未见增宽。", count: 30)
        let pdf = PDFReportWriter().render(long)
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.contains("/Count 2") || text.contains("/Count 3"))
        let url = try Self.temporaryFile(pdf, name: "long")
        defer { try? FileManager.default.removeItem(at: url) }
        guard let result = try Tool.run("pdftotext", ["-enc", "UTF-8", "-f", "2", url.path, "-"], package: "poppler-utils poppler-data") else { return }
        #expect(result.output.replacingOccurrences(of: " ", with: "").contains("第2页/共"), "\(result.output)")
        #expect(result.output.contains("刘洋"))   // the signature follows the text onto the last page
    }

    @Test func linesNeverStartWithClosingPunctuation() {
        let text = String(repeating: "肺纹理清晰，", count: 20) + "未见异常。"
        for width in stride(from: 60.0, through: 300, by: 7) {
            let lines = PDFReportLayout.wrap(text, width: width, firstIndent: 22, size: 11)
            #expect(lines.joined() == text)
            for line in lines.dropFirst() {
                #expect(!line.hasPrefix("，") && !line.hasPrefix("。"), "width \(width): \(line)")
            }
        }
    }

    @Test func asciiWordsAreNotSplit() {
        let lines = PDFReportLayout.wrap("CT值约-855 HU，lung window -600/1500，mediastinum 40/400。", width: 80, firstIndent: 0, size: 11)
        #expect(lines.allSatisfy { !$0.hasPrefix("55") && !$0.hasPrefix("indow") })
        #expect(lines.joined(separator: " ").replacingOccurrences(of: "  ", with: " ").contains("lung"))
    }
}
