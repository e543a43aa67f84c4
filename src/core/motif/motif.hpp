// gdl::motif: position probability matrices, MEME and JASPAR files.
// A Motif holds a width x 4 probability matrix (positions in rows, letters A, C, G, T in
// columns, row-major) and the number of sites it was built from. Torch-free.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace gdl::motif {

struct Motif {
  std::string id;           // MEME: first word after MOTIF; JASPAR: matrix ID
  std::string name;         // MEME: second word after MOTIF (may be empty)
  std::string url;          // MEME: URL line (may be empty)
  double nsites = 0;        // number of sites (0: unknown)
  double evalue = 0;        // MEME E= (kept for completeness)
  std::vector<double> prob; // width x 4, row-major: prob[4 * position + letter]

  int width() const { return static_cast<int>(prob.size() / 4); }
  double at(int pos, int letter) const { return prob[4 * static_cast<std::size_t>(pos) + letter]; }
};

struct MotifFile {
  std::vector<Motif> motifs;
  std::array<double, 4> background{{0.25, 0.25, 0.25, 0.25}};  // A, C, G, T
};

// Reads a MEME minimal (or full MEME output) text file: DNA alphabet, letter-probability
// matrices, "nsites=" and "E=" of each matrix, background letter frequencies when given.
// Throws gdl::Error naming the file and line on malformed input.
MotifFile read_meme(const std::string& path);

// Writes DanQ's MEME format exactly (MEME version 4.9.0 header, uniform background written
// as "A 0.25000 ...", "MOTIF <id> <name>", "letter-probability matrix: alength= 4 w= %i
// nsites= %i E= 1337.0e-6", rows "%f %f %f %f", a blank line after each motif). The file is
// written atomically.
void write_meme(const std::vector<Motif>& motifs, const std::string& path);

// Reads a JASPAR count file (".jaspar": ">ID name" then four rows "A [ c1 c2 ... ]", or the
// bare four-row ".pfm" layout). nsites is the count total of the first column; probabilities
// are counts over column totals.
MotifFile read_jaspar(const std::string& path);

// Reverse complement of a probability matrix (positions reversed, A<->T, C<->G).
std::vector<double> reverse_complement(const std::vector<double>& prob);

}  // namespace gdl::motif
