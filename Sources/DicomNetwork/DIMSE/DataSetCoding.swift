import DicomCore

/// Encodes and decodes the data sets DIMSE messages carry (identifiers, query results) in a negotiated transfer syntax.
///
/// C-STORE data sets are never decoded by the Storage SCP: they go to disk as received.
public enum DataSetCoding {
    /// Encodes `dataSet` in the transfer syntax `uid`.
    public static func encode(_ dataSet: DataSet, transferSyntax uid: String) throws(DicomNetworkError) -> [UInt8] {
        do {
            return try DicomFile.encode(dataSet, as: TransferSyntax(uid: uid))
        } catch {
            throw DicomNetworkError(.dataSet, "cannot encode the data set as \(uid): \(error)")
        }
    }

    /// Decodes a bare data set in the transfer syntax `uid`.
    public static func decode(_ bytes: [UInt8], transferSyntax uid: String) throws(DicomNetworkError) -> DataSet {
        // DicomCore reads Part 10 input; a "DICM" prefix and one File Meta element naming the syntax make a bare
        // data set into that, so the one parser (with its limits) is used for network input too.
        var uidBytes = Array(uid.utf8)
        if uidBytes.count & 1 == 1 { uidBytes.append(0) }
        var framed: [UInt8] = [0x44, 0x49, 0x43, 0x4D, 0x02, 0x00, 0x10, 0x00, 0x55, 0x49, UInt8(uidBytes.count), 0]
        framed.reserveCapacity(framed.count + uidBytes.count + bytes.count)
        framed.append(contentsOf: uidBytes)
        framed.append(contentsOf: bytes)
        let read = DicomFile.readPartial(bytes: framed)
        if let error = read.error { throw DicomNetworkError(.dataSet, "cannot decode the data set: \(error)") }
        guard let file = read.file else { throw DicomNetworkError(.dataSet, "cannot decode the data set") }
        return file.dataSet
    }
}
