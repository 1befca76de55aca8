// Internal: the UTF-8 check of the classify module's encoding guess (guess_encoding, the
// segments of a sampled table). Exposed for the tests, which compare the vector code with the
// byte-by-byte reference on generated inputs.
#pragma once

#include <cstddef>
#include <string_view>

namespace civitas::classify::detail {

/// Whether `s` reads as UTF-8 for the encoding guess. The rule (unchanged from the first
/// version, so that guesses never change): ASCII; C2..DF and one continuation byte; E0..EF and
/// two (overlong three-byte forms accepted, surrogates ED A0..ED BF rejected); F0..F4 and three
/// (overlong four-byte forms and F4 90.. accepted, the code points D800..DFFF rejected); C0,
/// C1, F5..FF and stray continuation bytes rejected; a sequence cut by the end of `s` (a lead
/// byte, any lead F0..FF included, followed only by continuation bytes) accepted, since
/// segments end anywhere. Uses the vector prefix check below where the CPU has it.
bool valid_utf8(std::string_view s) noexcept;

/// The same rule, byte by byte from `from`, which must be the start of a character (or the
/// position of an invalid byte) in `s`.
bool valid_utf8_scalar(std::string_view s, std::size_t from = 0) noexcept;

/// The length of the prefix of `s` that the vector code (AVX-512 BW or AVX2, x86-64 only) checked and found
/// valid under a stricter rule than the one above (it also rejects F0 80..F0 8F), in whole
/// 64-byte blocks; 0 when the vector code is not available. The character straddling the
/// returned length and the rest of `s` are left to valid_utf8_scalar.
std::size_t utf8_vector_prefix(std::string_view s) noexcept;

/// Whether to run the AVX2 code: the CPU has it (x86-64; asked once), and the tests have not
/// turned the vector code off.
bool cpu_avx2() noexcept;
/// Whether to run the AVX-512 code of the free-text scanner: the CPU has AVX-512 F, BW and VBMI
/// (x86-64; asked once), and the tests allow everything (level 2).
bool cpu_avx512_vbmi() noexcept;
/// Whether the vector code that needs only the baseline instructions (SSE2 on x86-64) runs:
/// true unless the tests have turned the vector code off.
bool vector_code_on() noexcept;
/// For the tests, which compare the vector code with the scalar code: 0 turns the vector code
/// off (valid_utf8 and the free-text scanner take their scalar paths), 1 allows up to AVX2,
/// 2 (the default) everything the CPU has (AVX-512 BW for valid_utf8).
void set_vector_limit(int level) noexcept;

}  // namespace civitas::classify::detail
