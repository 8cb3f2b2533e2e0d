// Highway's vectorized quicksort (Debian's libhwy-dev headers), compiled for AVX-512
// only: legate-numeric calls these after checking at run time that the processor has
// AVX-512 (`sort.rs`), and sorts with its own radix sort elsewhere. Header-only, so the
// extension needs no Highway library at run time; this file is the only C++ linked in.
//
// Built by legate-numeric's build.rs with clang (GCC 12 copies a 2 KiB constant table
// onto the stack in every 64-bit compress, which makes the sort 3-4x slower).

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hwy/contrib/sort/traits-inl.h"
#include "hwy/contrib/sort/traits128-inl.h"
#include "hwy/contrib/sort/vqsort-inl.h"

namespace hn = hwy::HWY_NAMESPACE;

// Sorts `n` unsigned 64-bit keys in place, ascending.
extern "C" void legate_vqsort_u64(uint64_t* keys, size_t n) {
  hn::SortTag<uint64_t> d;
  hn::detail::SharedTraits<hn::detail::TraitsLane<hn::detail::OrderAscending<uint64_t>>> st;
  hn::Sort(d, st, keys, n, static_cast<uint64_t*>(nullptr));
}

// The same for unsigned 32-bit and 16-bit keys (16 and 32 to a vector).
extern "C" void legate_vqsort_u32(uint32_t* keys, size_t n) {
  hn::SortTag<uint32_t> d;
  hn::detail::SharedTraits<hn::detail::TraitsLane<hn::detail::OrderAscending<uint32_t>>> st;
  hn::Sort(d, st, keys, n, static_cast<uint32_t*>(nullptr));
}

extern "C" void legate_vqsort_u16(uint16_t* keys, size_t n) {
  hn::SortTag<uint16_t> d;
  hn::detail::SharedTraits<hn::detail::TraitsLane<hn::detail::OrderAscending<uint16_t>>> st;
  hn::Sort(d, st, keys, n, static_cast<uint16_t*>(nullptr));
}

// Sorts `n` 128-bit keys in place, ascending: each is two words, the low one first
// (a position) and then the high one (the key), compared high word first.
extern "C" void legate_vqsort_u128(uint64_t* words, size_t n) {
  hn::SortTag<uint64_t> d;
  hn::detail::SharedTraits<hn::detail::Traits128<hn::detail::OrderAscending128>> st;
  hn::Sort(d, st, words, 2 * n, static_cast<uint64_t*>(nullptr));
}

// The sorter seeds its pivot sampling from this (libhwy_contrib's definition is not
// linked): a fixed mix of the array's address and length.
void hwy::Sorter::Fill24Bytes(const void* seed_heap, size_t seed_num, void* bytes) {
  uint64_t x = reinterpret_cast<uintptr_t>(seed_heap) ^ (seed_num * 0x9E3779B97F4A7C15ull);
  uint64_t out[3];
  for (int i = 0; i < 3; i++) {
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    out[i] = z ^ (z >> 31);
  }
  memcpy(bytes, out, sizeof(out));
}
