import DicomCore

/// One line of overlay text: a stable key for the viewer's layout and translations, and the formatted value.
public struct OverlayItem: Sendable, Hashable {
    /// Such as `patientName`, `kvp`, `window`.
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The four-corner annotation of a displayed image, as data the viewer lays out.
///
/// - top left: patient name, ID, sex and age, birth date;
/// - top right: institution, study description, study date and time, series and instance numbers;
/// - bottom left: per modality — CT, DX, CR, MG, XA, RF: kVp and mAs; MR: TR and TE; CT, MR, PT, NM: slice thickness
///   and location;
/// - bottom right: window (WW/WL), zoom.
public struct CornerOverlay: Sendable, Hashable {
    public var topLeft: [OverlayItem] = []
    public var topRight: [OverlayItem] = []
    public var bottomLeft: [OverlayItem] = []
    public var bottomRight: [OverlayItem] = []

    public init(topLeft: [OverlayItem] = [], topRight: [OverlayItem] = [], bottomLeft: [OverlayItem] = [], bottomRight: [OverlayItem] = []) {
        self.topLeft = topLeft
        self.topRight = topRight
        self.bottomLeft = bottomLeft
        self.bottomRight = bottomRight
    }

    /// The standard set for a data set, with the window and zoom the viewer currently shows. Absent attributes are left out.
    /// For a frame of an enhanced multi-frame image, pass ``DicomCore/DataSet/frameAttributes(_:)``.
    public init(_ ds: DataSet, window: Window? = nil, zoom: Double? = nil) {
        func add(_ list: inout [OverlayItem], _ key: String, _ value: String?) {
            if let value, !value.isEmpty { list.append(OverlayItem(key: key, value: value)) }
        }
        func number(_ tag: Tag) -> String? { ds.double(tag).map(Self.number) }
        add(&topLeft, "patientName", ds.personName(.patientName)?.alphabetic.components.filter { !$0.isEmpty }.joined(separator: " "))
        add(&topLeft, "patientID", ds.string(.patientID))
        add(&topLeft, "patientSexAge", [ds.string(.patientSex), ds.string(.patientAge)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " "))
        add(&topLeft, "patientBirthDate", ds.string(.patientBirthDate).map(Self.formatDate))
        add(&topRight, "institution", ds.string(.institutionName))
        add(&topRight, "studyDescription", ds.string(.studyDescription))
        add(&topRight, "studyDateTime", [ds.string(.studyDate).map(Self.formatDate), ds.string(.studyTimeTag).map(Self.formatTime)]
            .compactMap { $0 }.joined(separator: " "))
        add(&topRight, "series", ds.string(.seriesNumber).map { "Se: \($0)" })
        add(&topRight, "instance", ds.string(.instanceNumber).map { "Im: \($0)" })
        let modality = ds.string(.modality) ?? ""
        let acquisition = AcquisitionParameters(ds)
        if ["CT", "DX", "CR", "MG", "XA", "RF", "DR"].contains(modality) {
            add(&bottomLeft, "kvp", acquisition.kvp.map { "\(Self.number($0)) kVp" })
            add(&bottomLeft, "mAs", acquisition.exposureMAs.map { "\(Self.number($0)) mAs" })
        }
        if modality == "MR" {
            add(&bottomLeft, "tr", acquisition.repetitionTime.map { "TR \(Self.number($0))" })
            add(&bottomLeft, "te", acquisition.echoTime.map { "TE \(Self.number($0))" })
        }
        if ["CT", "MR", "PT", "NM"].contains(modality) {
            add(&bottomLeft, "sliceThickness", number(.sliceThickness).map { "ST \($0) mm" })
            add(&bottomLeft, "sliceLocation", number(.sliceLocation).map { "SL \($0)" })
        }
        if let w = window {
            func f(_ v: Double) -> String { v.rounded() == v ? String(Int(v)) : String((v * 10).rounded() / 10) }
            add(&bottomRight, "window", "WW \(f(w.width)) WL \(f(w.center))")
        }
        if let zoom { add(&bottomRight, "zoom", "Zoom \(Int((zoom * 100).rounded()))%") }
    }

    /// Integers as integers, others with up to two decimals.
    static func number(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : String((v * 100).rounded() / 100)
    }

    static func formatDate(_ s: String) -> String {
        let c = Array(s)
        guard c.count == 8 else { return s }
        return "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8]))"
    }

    static func formatTime(_ s: String) -> String {
        let c = Array(s.prefix(6))
        guard c.count >= 4 else { return s }
        return c.count >= 6 ? "\(String(c[0..<2])):\(String(c[2..<4])):\(String(c[4..<6]))" : "\(String(c[0..<2])):\(String(c[2..<4]))"
    }
}
