import Foundation
import NIOCore
import NIOPosix

extension DicomNetworkError {
    /// Names a failed TCP connect by its cause, so that callers can word it without reading NIO's text: a refusal
    /// (`connectionRefused`), the connect timeout running out (`timeout`), anything else (`connectFailed`: unknown
    /// host, unreachable network). The detail keeps NIO's own description for logs.
    init(connecting error: any Error, host: String, port: Int, timeout: TimeAmount) {
        let address = "\(host):\(port)"
        if case ChannelError.connectTimeout = error {
            self.init(.timeout, "connecting to \(address) timed out after \(timeout.nanoseconds / 1_000_000) ms: \(error)")
        } else if Self.isRefusal(error) {
            self.init(.connectionRefused, "connection to \(address) refused: \(error)")
        } else {
            self.init(.connectFailed, "cannot connect to \(address): \(error)")
        }
    }

    /// Whether every attempt (each address of the host, as Happy Eyeballs tries them) was refused.
    private static func isRefusal(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        if let connection = error as? NIOConnectionError {
            return !connection.connectionErrors.isEmpty && connection.connectionErrors.allSatisfy { isRefusal($0.error) }
        }
        return false
    }
}
