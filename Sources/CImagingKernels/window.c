#include "ImagingKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define MI_HAVE_X86_KERNELS 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#if MI_HAVE_X86_KERNELS

int mi_window_avx2_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // AVX needs the OS to save the YMM registers: OSXSAVE set and XCR0 enabling SSE and AVX state.
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) ? 1 : 0;
}

static inline int16_t mi_key(MIWindowKeyKind kind, int bits_stored, uint16_t v) {
    switch (kind) {
    case MIWindowKeySigned16: return (int16_t)v;
    case MIWindowKeySignedNarrow: {
        int shift = 16 - bits_stored;
        return (int16_t)((int16_t)(uint16_t)(v << shift) >> shift);
    }
    default: return (int16_t)((v & (uint16_t)((1u << bits_stored) - 1)) ^ 0x8000);
    }
}

static inline uint8_t mi_gray(const MIWindowKernel *k, int16_t key) {
    int16_t clamped = key < k->low ? k->low : (key > k->high ? k->high : key);
    uint16_t u = (uint16_t)((uint16_t)clamped - (uint16_t)k->origin);
    uint16_t hi = (uint16_t)(((uint32_t)u * k->ml) >> 16);
    return (uint8_t)((uint16_t)(u * k->mh + k->kh + hi) >> 8);
}

__attribute__((target("avx2"), always_inline))
static inline __m256i mi_gray16_avx2(__m256i key, __m256i low, __m256i high, __m256i origin, __m256i mh, __m256i ml, __m256i kh) {
    __m256i u = _mm256_sub_epi16(_mm256_min_epi16(_mm256_max_epi16(key, low), high), origin);
    __m256i sum = _mm256_add_epi16(_mm256_add_epi16(_mm256_mullo_epi16(u, mh), kh), _mm256_mulhi_epu16(u, ml));
    return _mm256_srli_epi16(sum, 8);
}

/// One loop per key kind (`kind` is a constant at each call site, so each copy loses the other kinds' branches).
__attribute__((target("avx2"), always_inline))
static inline void mi_window_loop_avx2(const MIWindowKernel *k, MIWindowKeyKind kind, int bits_stored,
                                       const uint16_t *words, uint8_t *out, size_t count) {
    const __m256i low = _mm256_set1_epi16(k->low), high = _mm256_set1_epi16(k->high);
    const __m256i origin = _mm256_set1_epi16(k->origin);
    const __m256i mh = _mm256_set1_epi16((short)k->mh), ml = _mm256_set1_epi16((short)k->ml), kh = _mm256_set1_epi16((short)k->kh);
    const __m256i mask = _mm256_set1_epi16((short)((1u << bits_stored) - 1)), flip = _mm256_set1_epi16((short)0x8000);
    const __m128i shift = _mm_cvtsi32_si128(16 - bits_stored);
    size_t i = 0;
    // 32 values per round: two vectors of 16 keys, packed to 32 bytes (packus works per 128-bit lane, so the
    // permute puts the quarters back in order).
    for (; i + 32 <= count; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(words + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(words + i + 16));
        if (kind == MIWindowKeySignedNarrow) {
            a = _mm256_sra_epi16(_mm256_sll_epi16(a, shift), shift);
            b = _mm256_sra_epi16(_mm256_sll_epi16(b, shift), shift);
        } else if (kind == MIWindowKeyUnsigned) {
            a = _mm256_xor_si256(_mm256_and_si256(a, mask), flip);
            b = _mm256_xor_si256(_mm256_and_si256(b, mask), flip);
        }
        __m256i ga = mi_gray16_avx2(a, low, high, origin, mh, ml, kh);
        __m256i gb = mi_gray16_avx2(b, low, high, origin, mh, ml, kh);
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(ga, gb), 0xD8);
        _mm256_storeu_si256((__m256i *)(out + i), packed);
    }
    for (; i < count; i++) out[i] = mi_gray(k, mi_key(kind, bits_stored, words[i]));
}

__attribute__((target("avx2")))
int mi_window_apply_avx2(const MIWindowKernel *k, MIWindowKeyKind kind, int bits_stored,
                         const uint16_t *words, uint8_t *out, size_t count) {
    if (bits_stored < 2 || bits_stored > 16) return 0;
    switch (kind) {
    case MIWindowKeySigned16: mi_window_loop_avx2(k, MIWindowKeySigned16, 16, words, out, count); return 1;
    case MIWindowKeySignedNarrow: mi_window_loop_avx2(k, MIWindowKeySignedNarrow, bits_stored, words, out, count); return 1;
    case MIWindowKeyUnsigned: mi_window_loop_avx2(k, MIWindowKeyUnsigned, bits_stored, words, out, count); return 1;
    }
    return 0;
}

#else

int mi_window_avx2_available(void) { return 0; }

int mi_window_apply_avx2(const MIWindowKernel *kernel, MIWindowKeyKind kind, int bits_stored,
                         const uint16_t *words, uint8_t *out, size_t count) {
    (void)kernel; (void)kind; (void)bits_stored; (void)words; (void)out; (void)count;
    return 0;
}

#endif
