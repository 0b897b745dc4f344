import DicomCore
import Foundation

/// SOP classes the demo writes (PS3.4 Annex B.5).
enum DemoSOPClass {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"
    static let mr = "1.2.840.10008.5.1.4.1.1.4"
    static let cr = "1.2.840.10008.5.1.4.1.1.1"
    static let dxForPresentation = "1.2.840.10008.5.1.4.1.1.1.1"
    static let encapsulatedPDF = "1.2.840.10008.5.1.4.1.1.104.1"
}

/// Builds the demo's data sets module by module (PS3.3 Annex A and C), one series at a time: the attributes common
/// to a series once, then per instance what differs.
struct DemoDataSets {
    let exam: DemoPlan.Exam
    let examNumber: Int
    let patient: DemoPatient
    let hospital: DemoHospital

    /// Patient, General Study, Patient Study and SOP Common (character set) attributes, shared by every instance of the exam.
    func studyAttributes() throws(DicomError) -> DataSet {
        var ds = DataSet()
        // First, so that every later string is encoded in it.
        try ds.setString(patient.specificCharacterSet, for: .specificCharacterSet, vr: .CS)
        try ds.setString(patient.dicomName, for: .patientName)
        try ds.setString(patient.patientID, for: .patientID)
        try ds.setString(patient.birthDate, for: .patientBirthDate)
        try ds.setString(patient.sex, for: .patientSex)
        try ds.setString(String(format: "%03dY", Self.age(birthDate: patient.birthDate, on: exam.date)), for: KnownTag.patientAge)
        if let admission = exam.admissionID { try ds.setString(admission, for: KnownTag.admissionID) }
        try ds.setString(DemoUIDs.study(exam: examNumber), for: .studyInstanceUID)
        try ds.setString(exam.date, for: .studyDate)
        try ds.setString(exam.time, for: .studyTime)
        try ds.setString(exam.referringPhysician, for: KnownTag.referringPhysicianName)
        try ds.setString(String(examNumber), for: .studyID)
        try ds.setString(exam.accessionNumber, for: .accessionNumber)
        try ds.setString(exam.studyDescription, for: .studyDescription)
        if let report = exam.report { try ds.setString(report.reportingPhysician, for: KnownTag.nameOfPhysiciansReadingStudy) }
        try ds.setString(hospital.name, for: KnownTag.institutionName)
        try ds.setString(exam.performingDepartment, for: KnownTag.institutionalDepartmentName)
        return ds
    }

    /// Everything of an image series except what differs per instance (SOP Instance UID, Instance Number, position and
    /// pixels): General Series, Frame of Reference, General Equipment, General Image, Image Pixel and the modality's modules.
    func seriesAttributes(_ series: DemoPlan.Series) throws(DicomError) -> DataSet {
        var ds = try studyAttributes()
        let phantom = series.phantom
        try ds.setString(sopClass(series.kind), for: .sopClassUID)
        try ds.setString(exam.date, for: KnownTag.instanceCreationDate)
        try ds.setString(exam.time, for: KnownTag.instanceCreationTime)
        try ds.setString(exam.modality, for: .modality)
        try ds.setString(DemoUIDs.series(exam: examNumber, series: series.number), for: .seriesInstanceUID)
        try ds.setString(String(series.number), for: .seriesNumber)
        try ds.setString(series.description, for: .seriesDescription)
        try ds.setString(exam.date, for: .seriesDate)
        try ds.setString(exam.time, for: KnownTag.seriesTime)
        try ds.setString(exam.bodyPart, for: KnownTag.bodyPartExamined)
        ds.set(DataElement(tag: KnownTag.requestAttributesSequence, vr: .SQ, value: .sequence([try requestAttributes(characterSet: ds.characterSet)])))
        try ds.setString(series.description, for: KnownTag.protocolName)
        try ds.setString("MI Platform", for: KnownTag.manufacturer)
        try ds.setString("Analytic phantom", for: KnownTag.manufacturerModelName)
        try ds.setString("DEMO-\(exam.modality)", for: KnownTag.stationName)
        try ds.setString(exam.date, for: KnownTag.contentDate)
        try ds.setString(exam.time, for: KnownTag.contentTime)
        try ds.setString(exam.date, for: KnownTag.acquisitionDate)
        try ds.setString(exam.time, for: KnownTag.acquisitionTime)
        try ds.setString("1", for: KnownTag.acquisitionNumber)
        try ds.setString("NO", for: KnownTag.burnedInAnnotation)
        try ds.setString("00", for: KnownTag.lossyImageCompression)

        try ds.setInt(1, for: .samplesPerPixel)
        try ds.setInt(phantom.rows, for: .rows)
        try ds.setInt(phantom.columns, for: .columns)
        try ds.setInt(16, for: .bitsAllocated)
        try ds.setInt(phantom.bitsStored, for: .bitsStored)
        try ds.setInt(phantom.bitsStored - 1, for: .highBit)
        try ds.setInt(phantom.isSigned ? 1 : 0, for: .pixelRepresentation)

        switch series.kind {
        case .ct:
            try ds.setStrings(["ORIGINAL", "PRIMARY", "AXIAL"], for: .imageType)
            try ds.setString("MONOCHROME2", for: .photometricInterpretation)
            try setSlicePlane(&ds, series)
            try ds.setString("HFS", for: KnownTag.patientPosition)
            try ds.setString("120", for: KnownTag.kvp)
            try ds.setString("500", for: KnownTag.dataCollectionDiameter)
            try ds.setString(Self.decimal(Double(phantom.columns) * phantom.columnSpacing), for: KnownTag.reconstructionDiameter)
            try ds.setString("0", for: KnownTag.gantryDetectorTilt)
            try ds.setString("STANDARD", for: KnownTag.convolutionKernel)
            try ds.setString(String(phantom.rescaleIntercept), for: KnownTag.rescaleIntercept)
            try ds.setString("1", for: KnownTag.rescaleSlope)
            try ds.setString("HU", for: KnownTag.rescaleType)
            // Lung first: the preset a viewer opens a chest CT with.
            try ds.setStrings(["-600", "40"], for: KnownTag.windowCenter)
            try ds.setStrings(["1500", "400"], for: KnownTag.windowWidth)
            try ds.setStrings(["LUNG", "MEDIASTINUM"], for: KnownTag.windowCenterWidthExplanation)
        case .mr:
            let t2 = phantom == .brainMRT2
            try ds.setStrings(["ORIGINAL", "PRIMARY", "OTHER"], for: .imageType)
            try ds.setString("MONOCHROME2", for: .photometricInterpretation)
            try setSlicePlane(&ds, series)
            try ds.setString(Self.decimal(phantom.sliceSpacing), for: KnownTag.spacingBetweenSlices)
            try ds.setString("HFS", for: KnownTag.patientPosition)
            try ds.setString("SE", for: KnownTag.scanningSequence)
            try ds.setString(t2 ? "SK" : "NONE", for: KnownTag.sequenceVariant)
            ds.set(DataElement(tag: KnownTag.scanOptions, vr: .CS, bytes: []))
            try ds.setString("2D", for: KnownTag.mrAcquisitionType)
            try ds.setString(t2 ? "T2_FSE" : "T1_SE", for: KnownTag.sequenceName)
            try ds.setString(t2 ? "4000" : "500", for: KnownTag.repetitionTime)
            try ds.setString(t2 ? "100" : "10", for: KnownTag.echoTime)
            try ds.setString(t2 ? "16" : "1", for: KnownTag.echoTrainLength)
            try ds.setString("1.5", for: KnownTag.magneticFieldStrength)
            try ds.setString("1H", for: KnownTag.imagedNucleus)
            try ds.setString(t2 ? "900" : "450", for: KnownTag.windowCenter)
            try ds.setString(t2 ? "1900" : "1000", for: KnownTag.windowWidth)
        case .dx:
            try ds.setStrings(["ORIGINAL", "PRIMARY"], for: .imageType)
            // Low values (bone) display white: MONOCHROME1, with the INVERSE presentation LUT that the DX Image module asks for.
            try ds.setString("MONOCHROME1", for: .photometricInterpretation)
            try ds.setString("FOR PRESENTATION", for: KnownTag.presentationIntentType)
            try ds.setStrings(["L", "F"], for: KnownTag.patientOrientation)
            try ds.setString("PA", for: KnownTag.viewPosition)
            try ds.setString("U", for: KnownTag.imageLaterality)
            try ds.setString("125", for: KnownTag.kvp)
            try ds.setString("1800", for: KnownTag.distanceSourceToDetector)
            try ds.setStrings([Self.decimal(phantom.rowSpacing), Self.decimal(phantom.columnSpacing)], for: KnownTag.imagerPixelSpacing)
            try ds.setString("SCINTILLATOR", for: KnownTag.detectorType)
            try ds.setString("COLUMN", for: KnownTag.positionerType)
            try ds.setString("LOG", for: KnownTag.pixelIntensityRelationship)
            try ds.setInt(1, for: KnownTag.pixelIntensityRelationshipSign, vr: .SS)
            try ds.setString("0", for: KnownTag.rescaleIntercept)
            try ds.setString("1", for: KnownTag.rescaleSlope)
            try ds.setString("US", for: KnownTag.rescaleType)
            try ds.setString("INVERSE", for: KnownTag.presentationLUTShape)
            try ds.setString("2600", for: KnownTag.windowCenter)
            try ds.setString("3200", for: KnownTag.windowWidth)
            var chest = DataSet(characterSet: ds.characterSet)
            try chest.setString("43799004", for: KnownTag.codeValue)
            try chest.setString("SCT", for: KnownTag.codingSchemeDesignator)
            try chest.setString("Chest", for: KnownTag.codeMeaning)
            ds.set(DataElement(tag: KnownTag.anatomicRegionSequence, vr: .SQ, value: .sequence([chest])))
            var view = DataSet(characterSet: ds.characterSet)
            try view.setString("399348003", for: KnownTag.codeValue)
            try view.setString("SCT", for: KnownTag.codingSchemeDesignator)
            try view.setString("postero-anterior", for: KnownTag.codeMeaning)
            ds.set(DataElement(tag: KnownTag.viewCodeSequence, vr: .SQ, value: .sequence([view])))
            ds.set(DataElement(tag: KnownTag.acquisitionContextSequence, vr: .SQ, value: .sequence([])))
        case .cr:
            try ds.setStrings(["ORIGINAL", "PRIMARY"], for: .imageType)
            try ds.setString("MONOCHROME2", for: .photometricInterpretation)
            try ds.setStrings(["L", "H"], for: KnownTag.patientOrientation)
            try ds.setString("PA", for: KnownTag.viewPosition)
            try ds.setString("R", for: KnownTag.laterality)
            try ds.setString("55", for: KnownTag.kvp)
            try ds.setStrings([Self.decimal(phantom.rowSpacing), Self.decimal(phantom.columnSpacing)], for: KnownTag.imagerPixelSpacing)
            try ds.setString("1300", for: KnownTag.windowCenter)
            try ds.setString("2800", for: KnownTag.windowWidth)
        }
        return ds
    }

    /// The instance holding phantom slice `slice`: the series attributes plus its UIDs, number, position and pixels.
    func instance(_ series: DemoPlan.Series, base: DataSet, slice: Int, pixels: [UInt8]) throws(DicomError) -> DataSet {
        var ds = base
        try ds.setString(DemoUIDs.instance(exam: examNumber, series: series.number, instance: slice + 1), for: .sopInstanceUID)
        try ds.setString(String(slice + 1), for: .instanceNumber)
        if series.kind == .ct || series.kind == .mr {
            let origin = Self.origin(series.phantom, slice: slice)
            try ds.setStrings([origin.x, origin.y, origin.z].map { Self.decimal($0) }, for: KnownTag.imagePositionPatient)
            try ds.setString(Self.decimal(origin.z), for: KnownTag.sliceLocation)
        }
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: pixels))
        return ds
    }

    /// The order this series fulfils (Request Attributes Sequence item, PS3.3 §C.7.3.1). The requesting department has no
    /// attribute in image IODs (Requesting Service belongs to the Imaging Service Request), so it is only in the catalog.
    private func requestAttributes(characterSet: SpecificCharacterSet) throws(DicomError) -> DataSet {
        var item = DataSet(characterSet: characterSet)
        try item.setString(exam.accessionNumber, for: .accessionNumber)
        try item.setString(DemoUIDs.study(exam: examNumber), for: .studyInstanceUID)
        try item.setString(exam.studyDescription, for: KnownTag.requestedProcedureDescription)
        try item.setString(exam.accessionNumber, for: KnownTag.scheduledProcedureStepID)
        try item.setString(exam.accessionNumber, for: KnownTag.requestedProcedureID)
        return item
    }

    /// Image Plane attributes that are the same on every slice (PS3.3 §C.7.6.2): axial, rows along +x, columns along +y.
    private func setSlicePlane(_ ds: inout DataSet, _ series: DemoPlan.Series) throws(DicomError) {
        let phantom = series.phantom
        try ds.setString(DemoUIDs.frameOfReference(exam: examNumber, series: series.number), for: KnownTag.frameOfReferenceUID)
        ds.set(DataElement(tag: KnownTag.positionReferenceIndicator, vr: .LO, bytes: []))
        try ds.setStrings([Self.decimal(phantom.rowSpacing), Self.decimal(phantom.columnSpacing)], for: KnownTag.pixelSpacing)
        try ds.setStrings(["1", "0", "0", "0", "1", "0"], for: KnownTag.imageOrientationPatient)
        try ds.setString(Self.decimal(phantom.sliceSpacing), for: KnownTag.sliceThickness)
    }

    /// Patient coordinates (mm) of the centre of the first pixel of `slice`. The image centre, pixel (columns/2, rows/2),
    /// is on the z axis. CT slices run head to foot from z = 0 (slice 0 is the most cranial); MR slices run foot to head,
    /// centred on z = 0.
    static func origin(_ phantom: DemoPhantom, slice: Int) -> (x: Double, y: Double, z: Double) {
        let x = -Double(phantom.columns / 2) * phantom.columnSpacing
        let y = -Double(phantom.rows / 2) * phantom.rowSpacing
        let z = phantom.unit == "HU"
            ? -Double(slice) * phantom.sliceSpacing
            : (Double(slice) - Double(phantom.slices - 1) / 2) * phantom.sliceSpacing
        return (x, y, z)
    }

    private func sopClass(_ kind: DemoPlan.Series.Kind) -> String {
        switch kind {
        case .ct: DemoSOPClass.ct
        case .mr: DemoSOPClass.mr
        case .dx: DemoSOPClass.dxForPresentation
        case .cr: DemoSOPClass.cr
        }
    }

    /// A DS value: rounded to 4 decimals, without trailing zeros ("0.7", "-179.2", "-298.75", "120").
    static func decimal(_ value: Double) -> String {
        var s = String(format: "%.4f", value)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// Completed years from `birthDate` to `date`, both YYYYMMDD.
    static func age(birthDate: String, on date: String) -> Int {
        guard let birth = Int(birthDate), let day = Int(date) else { return 0 }
        return (day - birth) / 10000
    }
}
