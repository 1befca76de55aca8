// Fuzz target: the audit formats a verifier reads from outside (docs/formats/audit-entry.md,
// checkpoint.md, proofs.md). The first byte picks the parser: 0 entry bytes, 1 checkpoint
// note, 2 note verifier key, 3 inclusion proof JSON, 4 consistency proof JSON, 5 details JSON.
// Properties: only civitas::Error is thrown; what parses re-encodes to the same bytes (entries,
// verifier keys) or to an equal value (checkpoints, proofs); canonical JSON is idempotent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "fuzz_check.hpp"

namespace a = civitas::audit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t* p = data + 1;
  std::size_t n = size - 1;
  std::string_view text(reinterpret_cast<const char*>(p), n);
  try {
    switch (data[0] % 6) {
      case 0: {
        a::Entry e = a::decode_entry(p, n);
        auto again = a::encode_entry(e);
        FUZZ_CHECK(again.size() == n && std::equal(again.begin(), again.end(), p));
        break;
      }
      case 1: {
        a::Checkpoint c = a::parse_checkpoint(text);
        a::Checkpoint d = a::parse_checkpoint(c.body() + std::string(text.substr(text.rfind("\n\n") + 1)));
        FUZZ_CHECK(d.size == c.size && d.root == c.root && d.origin == c.origin);
        break;
      }
      case 2: {
        a::NoteVerifier v = a::NoteVerifier::parse(text);
        FUZZ_CHECK(a::NoteVerifier::parse(v.text()).public_key == v.public_key);
        break;
      }
      case 3: {
        a::InclusionProof q = a::InclusionProof::from_json(text);
        a::InclusionProof r = a::InclusionProof::from_json(q.to_json());
        FUZZ_CHECK(r.hashes == q.hashes && r.leaf_index == q.leaf_index && r.tree_size == q.tree_size);
        (void)a::verify_inclusion(q.leaf_index, q.tree_size, q.leaf_hash, q.hashes, q.leaf_hash);
        break;
      }
      case 4: {
        a::ConsistencyProof q = a::ConsistencyProof::from_json(text);
        FUZZ_CHECK(a::ConsistencyProof::from_json(q.to_json()).hashes == q.hashes);
        (void)a::verify_consistency(q.first, q.second, q.hashes, a::empty_root(), a::empty_root());
        break;
      }
      case 5: {
        std::string c = a::canonical_json(text);
        FUZZ_CHECK(a::canonical_json(c) == c);
        break;
      }
    }
  } catch (const civitas::Error&) {
  }
  return 0;
}
