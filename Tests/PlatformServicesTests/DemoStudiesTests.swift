import DicomCore
import Foundation
import Testing
@testable import PlatformServices

@Suite struct DemoStudiesTests {
    @Test func everyGeneratedFileParsesAndDecodesWithOurReader() throws {
        let demo = try GeneratedDemo.shared.get()
        var files = 0
        for exam in demo.catalog.exams {
            for series in exam.series {
                for instance in series.instances {
                    let file = try demo.read(instance.path)
                    #expect(file.dataSet.uid(.sopInstanceUID) == instance.sopInstanceUID)
                    #expect(file.dataSet.uid(.sopClassUID) == series.sopClassUID)
                    #expect(file.dataSet.uid(.seriesInstanceUID) == series.seriesInstanceUID)
                    #expect(file.dataSet.uid(.studyInstanceUID) == exam.studyInstanceUID)
                    #expect(file.dataSet.string(.accessionNumber) == exam.accessionNumber)
                    #expect(file.dataSet.int(.instanceNumber) == instance.instanceNumber)
                    #expect(file.transferSyntax.uid == series.transferSyntaxUID)
                    #expect(file.fileMetaInformation.uid(.transferSyntaxUID) == series.transferSyntaxUID)
                    let frame = try file.decodedFrame(0)
                    #expect(frame.bytes.count == series.phantom.rows * series.phantom.columns * 2)
                    files += 1
                }
            }
            if let pdf = exam.report?.encapsulatedPDF {
                #expect(try demo.read(pdf.path).dataSet.uid(.sopInstanceUID) == pdf.sopInstanceUID)
                files += 1
            }
        }
        #expect(files == demo.catalog.imagePaths.count + 1)
    }

    /// Through every codec the demo uses, each image decodes to exactly the phantom: all the encodings are lossless.
    @Test(arguments: ["MR20261110001", "MR20261124001", "DX20261118001", "CR20261121001", "DX20261121002"])
    func compressedImagesDecodeToThePhantomExactly(accession: String) throws {
        let demo = try GeneratedDemo.shared.get()
        let series = try demo.series(accession)
        for instance in series.instances {
            let file = try demo.read(instance.path)
            #expect(file.dataSet[.pixelData] != nil)
            let frame = try file.decodedFrame(0)
            #expect(frame.bytes == series.phantom.renderSlice(instance.instanceNumber - 1), "\(instance.path)")
        }
    }

    @Test func transferSyntaxesExerciseOurCodecs() throws {
        let demo = try GeneratedDemo.shared.get()
        let syntaxes = Set(demo.catalog.exams.flatMap { $0.series.map(\.transferSyntaxUID) })
        #expect(syntaxes == ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.70",
                             "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.1.99"])
    }

    @Test func ctPixelsAtTheLandmarksReadTheDocumentedHounsfieldUnits() throws {
        let demo = try GeneratedDemo.shared.get()
        let series = try demo.series("CT20261102001")
        for landmark in DemoPhantom.chestCT.landmarks {
            let file = try demo.read(series.instances[landmark.slice].path)
            let frame = try file.decodedFrame(0)
            let slope = try #require(file.dataSet.double(KnownTag.rescaleSlope))
            let intercept = try #require(file.dataSet.double(KnownTag.rescaleIntercept))
            let hu = Double(frame.sample(column: landmark.column, row: landmark.row, signed: true)) * slope + intercept
            #expect(hu == Double(landmark.value), "\(landmark.name)")
        }
        #expect(DemoPhantom.chestCT.landmarks.contains { $0.value == -855 })
    }

    @Test(arguments: ["MR20261110001", "DX20261118001", "CR20261121001"])
    func otherPhantomsReadTheirLandmarkValues(accession: String) throws {
        let demo = try GeneratedDemo.shared.get()
        let series = try demo.series(accession)
        for landmark in series.phantom.landmarks {
            let frame = try demo.read(series.instances[landmark.slice].path).decodedFrame(0)
            #expect(frame.sample(column: landmark.column, row: landmark.row, signed: false) == landmark.value, "\(landmark.name)")
        }
    }

    @Test func ctSlicesAreConsistentAndStepByTheSliceSpacing() throws {
        let demo = try GeneratedDemo.shared.get()
        let series = try demo.series("CT20261102001")
        #expect(series.instances.count == 240)
        var previous: [Double]?
        var frameOfReference: String?
        for (index, instance) in series.instances.enumerated() {
            let ds = try DicomFile.read(contentsOf: demo.url(instance.path).path, options: .headerOnly).dataSet
            #expect(ds.int(.instanceNumber) == index + 1)
            #expect(ds.doubles(KnownTag.imageOrientationPatient) == [1, 0, 0, 0, 1, 0])
            #expect(ds.doubles(KnownTag.pixelSpacing) == [0.7, 0.7])
            #expect(ds.double(KnownTag.sliceThickness) == 1.25)
            #expect(ds.int(.rows) == 512 && ds.int(.columns) == 512)
            #expect(ds.int(.bitsAllocated) == 16 && ds.int(.bitsStored) == 16 && ds.int(.pixelRepresentation) == 1)
            #expect(ds.strings(KnownTag.windowCenter) == ["-600", "40"] && ds.strings(KnownTag.windowWidth) == ["1500", "400"])
            #expect(ds.string(KnownTag.rescaleType) == "HU")
            let position = ds.doubles(KnownTag.imagePositionPatient)
            #expect(position.count == 3 && position[0] == -179.2 && position[1] == -179.2)
            #expect(ds.double(KnownTag.sliceLocation) == position.last)
            if let previous {
                // The normal of rows × columns is +z: consecutive slices are 1.25 mm apart along it, head to foot.
                #expect(abs((previous[2] - position[2]) - 1.25) < 1e-9, "slice \(index)")
            }
            previous = position
            let reference = ds.uid(KnownTag.frameOfReferenceUID)
            #expect(reference != nil && (frameOfReference == nil || reference == frameOfReference))
            frameOfReference = reference
        }
    }

    /// Names written in GB18030 and in UTF-8 by our encoder read back as the same Swift strings, and the bytes are the
    /// ones each character set defines.
    @Test func chineseNamesRoundTripThroughGB18030AndUTF8() throws {
        let demo = try GeneratedDemo.shared.get()
        #expect(Set(demo.catalog.patients.map(\.specificCharacterSet)) == ["GB18030", "ISO_IR 192"])
        for patient in demo.catalog.patients {
            let exams = demo.catalog.exams.filter { $0.patientID == patient.patientID }
            for exam in exams {
                guard let path = exam.series.first?.instances.first?.path else { continue }
                let ds = try demo.read(path).dataSet
                #expect(ds.string(.specificCharacterSet) == patient.specificCharacterSet)
                #expect(ds.string(.patientName) == patient.dicomName)
                #expect(ds.personName(.patientName)?.ideographic.components.joined() == patient.chineseName)
                #expect(ds.string(KnownTag.institutionName) == demo.catalog.hospital(exam.hospitalID)?.name)
                #expect(ds.string(KnownTag.referringPhysicianName) == exam.referringPhysician)
                #expect(ds.string(.studyDescription) == exam.studyDescription)
                let raw = try #require(ds[.patientName]?.bytes).map { $0 }
                let expected: [UInt8]
                if patient.specificCharacterSet == "GB18030" {
                    expected = try SpecificCharacterSet(terms: ["GB18030"]).encode(patient.dicomName, vr: .PN)
                    #expect(!raw.elementsEqual(Array(patient.dicomName.utf8)))
                } else {
                    expected = Array(patient.dicomName.utf8)
                }
                #expect(Array(raw.prefix(expected.count)) == expected && raw.count - expected.count <= 1)
            }
        }
        // 张 is D5 C5 in GB18030 (and in GB2312 before it).
        let zhang = Array(try #require(try demo.read(try demo.series("CT20261102001").instances[0].path).dataSet[.patientName]?.bytes))
        #expect(zhang.indices.dropLast().contains { zhang[$0] == 0xD5 && zhang[$0 + 1] == 0xC5 })
    }

    @Test func catalogCoversEveryStatusAndTheFourModalities() throws {
        let catalog = try GeneratedDemo.shared.get().catalog
        #expect(Set(catalog.exams.map(\.status)) == Set(DemoExamStatus.allCases))
        let reported = catalog.exams.filter { $0.status == .report }
        #expect(reported.count >= 4)
        #expect(Set(reported.map(\.modality)) == ["CT", "MR", "DX", "CR"])
        #expect(catalog.hospitals.count == 2 && catalog.hospitals[0].name == "演示总医院")
        #expect(Set(catalog.exams.map(\.visitType)) == Set(DemoVisitType.allCases))
        #expect(Set(catalog.exams.map(\.accessionNumber)).count == catalog.exams.count)
        for exam in catalog.exams {
            #expect(catalog.patient(exam.patientID) != nil && catalog.hospital(exam.hospitalID) != nil)
            #expect(exam.scheduledAt.hasPrefix("\(exam.scheduledDate.prefix(4))-") && exam.scheduledAt.hasSuffix("+08:00"))
            switch exam.status {
            case .scheduled:
                #expect(exam.series.isEmpty && exam.report == nil && exam.studyDate == nil)
            case .imaging:
                #expect(!exam.series.isEmpty && exam.report == nil && exam.studyDate == exam.scheduledDate)
            case .report:
                #expect(!exam.series.isEmpty && exam.report != nil && exam.studyDate == exam.scheduledDate)
            }
        }
        // Patient history: some patients have more than one exam.
        #expect(catalog.patients.contains { id in catalog.exams.filter { $0.patientID == id.patientID }.count > 1 })
    }

    @Test func catalogMatchesTheFilesAndItsJSON() throws {
        let demo = try GeneratedDemo.shared.get()
        var total = 0
        for exam in demo.catalog.exams {
            for instance in exam.series.flatMap(\.instances) {
                let size = try FileManager.default.attributesOfItem(atPath: demo.url(instance.path).path)[.size] as? Int
                #expect(size == instance.byteCount)
                total += instance.byteCount
            }
            if let report = exam.report {
                let size = try FileManager.default.attributesOfItem(atPath: demo.url(report.pdfPath).path)[.size] as? Int
                #expect(size == report.pdfByteCount)
                total += report.pdfByteCount + (report.encapsulatedPDF?.byteCount ?? 0)
            }
        }
        #expect(total == demo.catalog.totalBytes)
        let json = try Data(contentsOf: demo.url("catalog.json"))
        #expect(try JSONDecoder().decode(DemoCatalog.self, from: json) == demo.catalog)
    }

    @Test func uidsAreValidAndUnique() throws {
        let catalog = try GeneratedDemo.shared.get().catalog
        var uids = catalog.exams.map(\.studyInstanceUID)
        for exam in catalog.exams {
            uids += exam.series.map(\.seriesInstanceUID) + exam.series.flatMap { $0.instances.map(\.sopInstanceUID) }
            if let report = exam.report, let pdf = report.encapsulatedPDF { uids += [pdf.sopInstanceUID, report.encapsulatedPDFSeriesInstanceUID ?? ""] }
        }
        #expect(Set(uids).count == uids.count)
        for uid in uids {
            #expect(uid.count <= 64 && uid.hasPrefix("2.25."), "\(uid)")
            // PS3.5 §9.1: digits and dots, no empty component, no leading zero.
            let components = uid.split(separator: ".", omittingEmptySubsequences: false)
            #expect(components.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) && ($0 == "0" || !$0.hasPrefix("0")) }, "\(uid)")
        }
    }

    @Test func encapsulatedPDFHoldsTheReportFile() throws {
        let demo = try GeneratedDemo.shared.get()
        let exam = try #require(demo.catalog.exams.first { $0.report?.encapsulatedPDF != nil })
        let report = try #require(exam.report)
        let ds = try demo.read(try #require(report.encapsulatedPDF).path).dataSet
        #expect(ds.uid(.sopClassUID) == EncapsulatedPDF.sopClassUID && ds.string(.modality) == "DOC")
        #expect(ds.string(KnownTag.mimeTypeOfEncapsulatedDocument) == "application/pdf")
        #expect(ds.uid(.studyInstanceUID) == exam.studyInstanceUID && ds.string(.patientName) == demo.catalog.patient(exam.patientID)?.dicomName)
        let length = try #require(ds.int(KnownTag.encapsulatedDocumentLength))
        let document = try #require(ds[KnownTag.encapsulatedDocument]?.bytes)
        let pdf = try Data(contentsOf: demo.url(report.pdfPath))
        #expect(length == pdf.count && Array(document.prefix(length)) == Array(pdf))
    }

    /// A second run writes the same bytes in every file and reports progress once per file.
    @Test func generationIsDeterministic() throws {
        let first = try GeneratedDemo.shared.get()
        var reports: [DemoProgress] = []
        let second = try GeneratedDemo.generate(run: "b") { reports.append($0) }.get()
        defer { try? FileManager.default.removeItem(at: second.folder) }
        #expect(second.catalog == first.catalog)
        let files = try #require(FileManager.default.subpaths(atPath: first.folder.path)).filter { !$0.hasSuffix("/") }.sorted()
        var compared = 0
        for path in files {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: first.url(path).path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let a = try Data(contentsOf: first.url(path)), b = try Data(contentsOf: second.url(path))
            #expect(a == b, "\(path) differs")
            compared += 1
        }
        #expect(compared == first.catalog.imagePaths.count + 4 + 1 + 1)
        #expect(reports.count == reports.last?.totalFiles && reports.last?.fraction == 1)
        #expect(reports.map(\.completedFiles) == Array(1...reports.count))
    }

    @Test func folderThatCannotBeCreatedFailsWithCreateFolder() throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("mi-demo-blocked-\(ProcessInfo.processInfo.processIdentifier)")
        try Data("not a folder".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }
        #expect { try DemoStudies.generate(into: blocker) } throws: { ($0 as? PlatformError)?.code == .storageFailure }
    }

    /// When the second thread fails, generate waits for the first, throws that error and leaves no catalog.
    @Test func failureOnTheSecondThreadLeavesNoCatalog() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-demo-failing-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A file where the second patient's folder must go (that patient's exams are on the second thread).
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dicom"), withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("dicom/DEMO0002"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent(DemoStudies.catalogFileName))
        #expect { try DemoStudies.generate(into: folder) } throws: { ($0 as? PlatformError)?.code == .storageFailure }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(DemoStudies.catalogFileName).path))
    }

    /// Seeding runs at every demo start, in debug builds too. The bound is loose (a shared 2-core machine); the
    /// measured time is printed.
    @Test func seedingTakesSeconds() throws {
        let demo = try GeneratedDemo.shared.get()
        print("demo seeding: \(String(format: "%.2f", demo.seconds)) s wall, \(String(format: "%.2f", demo.cpuSeconds)) s CPU, "
              + "\(demo.catalog.totalBytes) bytes, \(demo.catalog.imagePaths.count) images")
        #expect(demo.seconds < 60)
    }
}
