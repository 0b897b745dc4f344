import Crypto
import Foundation

/// Unguessable tokens and temporary passwords from the system's CSPRNG.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A URL-safe token with `bytes` bytes (default 32 = 256 bits) of randomness. It never begins with `-`, so it can
    /// be passed as a command-line argument (`--client-secret TOKEN`) without being taken for an option.
    public static func token(bytes count: Int = 32) -> String {
        while true {
            let token = Base64URL.encode(bytes(count))
            if token.first != "-" { return token }
        }
    }

    /// A temporary password that meets any reasonable policy: 14 characters with lower, upper, digits and a symbol
    /// (the symbol never first, so the password is safe as a command-line argument).
    public static func password() -> String {
        let lower = Array("abcdefghijkmnpqrstuvwxyz"), upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), digits = Array("23456789")
        var generator = SystemRandomNumberGenerator()
        var characters = [lower.randomElement(using: &generator)!, upper.randomElement(using: &generator)!,
                          digits.randomElement(using: &generator)!, "-"]
        let all = lower + upper + digits
        while characters.count < 14 { characters.append(all.randomElement(using: &generator)!) }
        characters.shuffle(using: &generator)
        if characters[0] == "-" { characters.swapAt(0, Int.random(in: 1..<characters.count, using: &generator)) }
        return String(characters)
    }

    /// SHA-256 of a token, hex: what the database keeps instead of the token itself.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Base64url without padding (RFC 4648 §5), as OAuth and JOSE use it.
public enum Base64URL {
    /// Encodes bytes.
    public static func encode<B: Sequence>(_ bytes: B) -> String where B.Element == UInt8 {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes; nil when malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}
