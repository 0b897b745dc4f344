// ImagingKit's SIMD kernels: loops that need a wider instruction set than the compiler's baseline target, chosen at
// run time. Swift has no per-function target attribute, so these few loops are C; ImagingKit keeps a portable Swift
// loop of the same arithmetic for every other CPU and tests the two against each other.
#ifndef MI_IMAGING_KERNELS_H
#define MI_IMAGING_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The constants of ImagingKit's fitted fixed-point window (`WindowKernel`): for a key k (the stored value as a
/// signed 16-bit number, XOR 0x8000 for unsigned data), u = clamp(k, low, high) - origin (mod 2^16), and the grey
/// level is (u*mh + kh + ((u*ml) >> 16)) >> 8, all in 16-bit unsigned arithmetic.
typedef struct {
    int16_t low;
    int16_t high;
    int16_t origin;
    uint16_t mh;
    uint16_t ml;
    uint16_t kh;
} MIWindowKernel;

/// How stored values become keys.
typedef enum {
    /// Signed, 16 bits stored: the key is the value.
    MIWindowKeySigned16 = 0,
    /// Signed, fewer bits stored: sign-extended from `bits_stored` bits.
    MIWindowKeySignedNarrow = 1,
    /// Unsigned: masked to `bits_stored` bits, then XOR 0x8000.
    MIWindowKeyUnsigned = 2,
} MIWindowKeyKind;

/// 1 when this CPU and operating system run the AVX2 window kernel, else 0 (always 0 off x86-64). Runs CPUID, which
/// is slow in a virtual machine: call it once and keep the answer.
int mi_window_avx2_available(void);

/// Windows `count` little-endian 16-bit stored values from `words` into `out` with AVX2. Call only when
/// `mi_window_avx2_available()` said 1; returns 0 without touching `out` when the kernel is not compiled in.
int mi_window_apply_avx2(const MIWindowKernel *kernel, MIWindowKeyKind kind, int bits_stored,
                         const uint16_t *words, uint8_t *out, size_t count);

#endif
