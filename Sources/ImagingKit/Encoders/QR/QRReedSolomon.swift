/// Reed–Solomon error-correction codewords over GF(2⁸) with the QR Code field polynomial x⁸+x⁴+x³+x²+1 (0x11D) and
/// the generator ∏(x − αⁱ), i = 0…n−1 (ISO/IEC 18004:2015 §7.5.2, Annex A).
struct QRReedSolomon: Sendable {
    /// Generator coefficients, highest degree first, leading 1 dropped.
    let divisor: [UInt8]

    init(degree: Int) {
        precondition((1...255).contains(degree))
        var coefficients = [UInt8](repeating: 0, count: degree)
        coefficients[degree - 1] = 1   // start with the monomial 1
        var root: UInt8 = 1            // α⁰
        for _ in 0..<degree {
            // Multiply the product so far by (x − root).
            for j in 0..<degree {
                coefficients[j] = Self.multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = Self.multiply(root, 0x02)
        }
        divisor = coefficients
    }

    /// The remainder of data·xⁿ divided by the generator: the error-correction codewords.
    func remainder(_ data: ArraySlice<UInt8>) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in 0..<divisor.count { result[i] ^= Self.multiply(divisor[i], factor) }
        }
        return result
    }

    /// Product in GF(2⁸) modulo 0x11D (Russian-peasant multiplication).
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z: UInt16 = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= UInt16((y >> UInt8(i)) & 1) * UInt16(x)
        }
        return UInt8(z & 0xFF)
    }
}
