// Base codes shared by every part of the core.
// A sequence byte (any case, IUPAC, U) maps to a code: 0 = A, 1 = C, 2 = G, 3 = T/U,
// 4 = N or another IUPAC ambiguity code, 5 = not a nucleotide (an error for callers that check).
// One-hot channels follow the code order A, C, G, T.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gdl {
namespace genome {

constexpr std::uint8_t kCodeN = 4;
constexpr std::uint8_t kCodeInvalid = 5;

namespace detail {
constexpr std::array<std::uint8_t, 256> make_code_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kCodeInvalid;
  const char* amb = "NRYSWKMBDHVnryswkmbdhv";
  for (const char* p = amb; *p; ++p) t[static_cast<unsigned char>(*p)] = kCodeN;
  t['A'] = t['a'] = 0;
  t['C'] = t['c'] = 1;
  t['G'] = t['g'] = 2;
  t['T'] = t['t'] = t['U'] = t['u'] = 3;
  return t;
}
constexpr std::array<char, 256> make_complement_table() {
  std::array<char, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = static_cast<char>(i);
  const char* from = "ACGTUNRYSWKMBDHVacgtunryswkmbdhv";
  const char* to = "TGCAANYRSWMKVHDBtgcaanyrswmkvhdb";
  for (int i = 0; from[i]; ++i) t[static_cast<unsigned char>(from[i])] = to[i];
  return t;
}
}  // namespace detail

inline constexpr std::array<std::uint8_t, 256> kBaseCode = detail::make_code_table();
inline constexpr std::array<char, 256> kComplement = detail::make_complement_table();

inline std::uint8_t base_code(char c) { return kBaseCode[static_cast<unsigned char>(c)]; }

// Reverse complement in place; keeps case, maps U to A's complement as T does, IUPAC to IUPAC.
inline void reverse_complement(char* s, std::size_t n) {
  for (std::size_t i = 0, j = n; i < j;) {
    --j;
    char a = kComplement[static_cast<unsigned char>(s[i])];
    char b = kComplement[static_cast<unsigned char>(s[j])];
    s[i] = b;
    s[j] = a;
    ++i;
  }
}
inline void reverse_complement(std::string& s) { reverse_complement(&s[0], s.size()); }

// Base codes of n bytes for encoding on the device: 0..3 for A, C, G, T/U, 4 for N, other
// IUPAC codes and any byte that is not a nucleotide (one_hot encodes those as N too).
inline void to_codes(const char* s, std::size_t n, std::uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t c = base_code(s[i]);
    out[i] = c < kCodeN ? c : kCodeN;
  }
}

// Position of the first byte that is not a nucleotide letter, or n when all are valid.
inline std::size_t first_invalid(const char* s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (base_code(s[i]) == kCodeInvalid) return i;
  return n;
}

}  // namespace genome
}  // namespace gdl
