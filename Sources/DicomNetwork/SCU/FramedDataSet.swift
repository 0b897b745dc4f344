import DicomCore
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's data set laid out as the P-DATA-TF PDUs that carry it (PS3.8 §9.3.5): one PDV per PDU, each fragment
/// read from the file straight into its place behind its headers.
///
/// Sending a data set from a `[UInt8]` costs two copies in user space (file into the array, array into the socket
/// buffer in ``PDUEncoder``), and the second is on the critical path of a synchronous C-STORE. Framed ahead of time,
/// on the read-ahead task, the only work left when the previous response arrives is one `writev`.
struct FramedDataSet: Sendable {
    /// The PDUs' bytes, ready for the socket.
    var pdus: ByteBuffer
    /// The presentation context the PDVs name.
    var contextID: UInt8

    /// The PDU and PDV item headers in front of each fragment: PDU type, reserved, PDU length, PDV length, context, control.
    static let headerLength = PDU.headerLength + 6

    /// The longest data set framed in one buffer (a `ByteBuffer` holds at most 4 GiB, with the headers).
    static let maximumLength = 1 << 30

    /// Frames `length` bytes of the open file `fd` from `offset` into fragments of at most `fragment` bytes.
    ///
    /// Throws ``DicomNetworkError/Code-swift.struct/fileIO`` when the file ends early or cannot be read.
    static func read(fd: Int32, offset: Int, length: Int, contextID: UInt8, fragment: Int) throws(DicomNetworkError) -> FramedDataSet {
        precondition(fragment > 0 && length >= 0 && length <= maximumLength)
        let count = Swift.max(1, (length + fragment - 1) / fragment)
        var buffer = ByteBufferAllocator().buffer(capacity: length + count * headerLength)
        var failure: DicomNetworkError?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length + count * headerLength) { raw in
            let base = raw.baseAddress!
            var iovecs: [iovec] = []
            iovecs.reserveCapacity(Swift.min(count, 512))
            var at = 0, fileOffset = offset
            for index in 0..<count {
                let size = Swift.min(fragment, length - index * fragment)
                writeHeaders(into: base + at, fragment: size, contextID: contextID, isLast: index == count - 1)
                at += headerLength
                iovecs.append(iovec(iov_base: base + at, iov_len: size))
                at += size
                // preadv takes at most IOV_MAX (1024 on Linux) vectors at a time.
                if iovecs.count == 512 || index == count - 1 {
                    let wanted = iovecs.reduce(0) { $0 + $1.iov_len }
                    guard readFully(fd, &iovecs, at: fileOffset, wanted: wanted) else {
                        failure = DicomNetworkError(.fileIO, "the file ended or could not be read (errno \(errno)) at offset \(fileOffset)")
                        return 0
                    }
                    fileOffset += wanted
                    iovecs.removeAll(keepingCapacity: true)
                }
            }
            return at
        }
        if let failure { throw failure }
        return FramedDataSet(pdus: buffer, contextID: contextID)
    }

    /// The 12 header bytes of one P-DATA-TF carrying one PDV of `fragment` bytes (PS3.8 Table 9-22, Figure E.2-1).
    private static func writeHeaders(into p: UnsafeMutableRawPointer, fragment: Int, contextID: UInt8, isLast: Bool) {
        let pdvLength = UInt32(fragment + 2)
        p.storeBytes(of: UInt8(0x04), as: UInt8.self)
        p.storeBytes(of: UInt8(0), toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: (pdvLength + 4).bigEndian, toByteOffset: 2, as: UInt32.self)
        p.storeBytes(of: pdvLength.bigEndian, toByteOffset: 6, as: UInt32.self)
        p.storeBytes(of: contextID, toByteOffset: 10, as: UInt8.self)
        // Control header: bit 0 clear (data set, not command), bit 1 set on the last fragment.
        p.storeBytes(of: UInt8(isLast ? 2 : 0), toByteOffset: 11, as: UInt8.self)
    }

    /// `preadv` until `wanted` bytes are in, retrying short reads and EINTR; false when the file ends early or fails.
    private static func readFully(_ fd: Int32, _ iovecs: inout [iovec], at offset: Int, wanted: Int) -> Bool {
        var got = 0, first = 0
        while got < wanted {
            let n = iovecs[first...].withUnsafeBufferPointer { preadv(fd, $0.baseAddress, Int32($0.count), off_t(offset + got)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            got += n
            // Drop the vectors filled completely and trim the one filled in part.
            var left = n
            while first < iovecs.count && left >= iovecs[first].iov_len { left -= iovecs[first].iov_len; first += 1 }
            if left > 0 {
                iovecs[first].iov_base = iovecs[first].iov_base! + left
                iovecs[first].iov_len -= left
            }
        }
        return true
    }
}
