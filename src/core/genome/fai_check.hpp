// Verification of a FASTA's .fai (and .gzi) against the FASTA itself, so that an index left
// from another file or an older version of this one is never used: it would report wrong
// lengths and return shifted bases. Internal to genome/ (fasta.cpp).
#pragma once
#include <string>

namespace gdl {
namespace genome {

struct IndexCheck {
  bool ok = true;
  std::string reason;     // why the index disagrees with the FASTA (when !ok)
  std::string duplicate;  // a sequence name occurring twice in the FASTA (then !ok)
};

// Walks the index records in file order and checks, for each, that the header line ending at
// the record's offset is ">name", that the byte after its last base (from length, line bases
// and line width) ends the line, and that nothing but line ends lies between a record and the
// next header, and after the last record. So a stale length, a shifted offset, a record the
// index lacks (htslib skips a repeated name when indexing) are all caught, with one small read
// per record. Works on plain and bgzip FASTA (through the .gzi).
IndexCheck check_fasta_index(const std::string& fasta, bool bgzf);

}  // namespace genome
}  // namespace gdl
