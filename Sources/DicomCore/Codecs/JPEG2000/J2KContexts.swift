/// The context rules of EBCOT's significance coding (ITU-T T.800 Annex D), shared by the code-block decoder and
/// encoder, which lay their neighbourhood flags out differently and build their own lookup tables from these.
enum J2KContexts {
    /// The zero-coding context (Table D.1) of a sample from how many of its horizontal (0–2), vertical (0–2) and
    /// diagonal (0–4) neighbours are significant. `orientation`: 0 LL, 1 HL (horizontal and vertical swap roles),
    /// 2 LH (as LL), 3 HH (diagonals first).
    static func zeroCoding(horizontal: Int, vertical: Int, diagonal d: Int, orientation: Int) -> Int {
        var h = horizontal, v = vertical
        if orientation == 1 { swap(&h, &v) }
        if orientation == 3 {
            let hv = h + v
            if d >= 3 { return 8 }
            if d == 2 { return hv >= 1 ? 7 : 6 }
            if d == 1 { return hv >= 2 ? 5 : (hv == 1 ? 4 : 3) }
            return hv >= 2 ? 2 : hv
        }
        if h == 2 { return 8 }
        if h == 1 { return v >= 1 ? 7 : (d >= 1 ? 6 : 5) }
        if v == 2 { return 4 }
        if v == 1 { return 3 }
        return d >= 2 ? 2 : d
    }

    /// A direct neighbour's contribution to the sign context: 0 when insignificant, else +1 or −1 by its sign.
    static func contribution(_ significant: Int, _ negative: Int) -> Int {
        significant == 0 ? 0 : (negative == 1 ? -1 : 1)
    }

    /// The sign-coding context and XOR bit (Table D.3) from the clamped horizontal and vertical contributions (−1…1).
    static func sign(horizontal h: Int, vertical v: Int) -> (context: Int, xor: Int) {
        switch (h, v) {
        case (1, 1): return (13, 0)
        case (1, 0): return (12, 0)
        case (1, -1): return (11, 0)
        case (0, 1): return (10, 0)
        case (0, 0): return (9, 0)
        case (0, -1): return (10, 1)
        case (-1, 1): return (11, 1)
        case (-1, 0): return (12, 1)
        default: return (13, 1)
        }
    }
}
