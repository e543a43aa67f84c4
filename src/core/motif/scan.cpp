// FIMO-exact scanning of genome regions (see scan.hpp). The integer window scores are those
// of FIMO; what differs is how they are summed: a chunk of sequence is turned into three
// lane masks (letter is C, G, T) and 16 windows are scored at once in 16-bit lanes,
//   s = sum_j s_j(A) + sum_j [c == C] (s_j(C) - s_j(A)) + ... ,
// exact in modular 16-bit arithmetic as long as w * 1000 < 65536 (wider motifs take the
// scalar path). Windows holding other letters are never scored: chunks are cut into runs of
// A/C/G/T first. Torch-free.
#include <algorithm>
#include <cstring>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "motif/scan.hpp"

namespace gdl::motif {

namespace {

typedef std::uint16_t u16x16 __attribute__((vector_size(32)));
typedef std::int16_t i16x16 __attribute__((vector_size(32)));
constexpr int kLanes = 16;

// A strand of a motif in kernel form.
struct Kernel {
  int width = 0;
  std::uint16_t base = 0;            // sum of the A scores
  std::vector<std::uint16_t> delta;  // width x 3: s(C) - s(A), s(G) - s(A), s(T) - s(A), mod 2^16
  int min_hit = 0, half = 0, max_score = 0;
  bool wide = false;                 // w * 1000 >= 65536: scalar path
};

Kernel make_kernel(const ScanPssm& p) {
  Kernel k;
  k.width = p.width;
  k.min_hit = p.min_hit;
  k.half = p.half;
  k.max_score = p.width * kScanRange;
  k.wide = k.max_score >= 65536;
  k.delta.resize(3 * static_cast<std::size_t>(p.width));
  unsigned base = 0;
  for (int j = 0; j < p.width; ++j) {
    const int* s = &p.score[4 * static_cast<std::size_t>(j)];
    base += static_cast<unsigned>(s[0]);
    for (int b = 1; b < 4; ++b)
      k.delta[3 * static_cast<std::size_t>(j) + b - 1] = static_cast<std::uint16_t>(s[b] - s[0]);
  }
  k.base = static_cast<std::uint16_t>(base);
  return k;
}

// What one kernel call finds: offsets (in the run) and integer scores of hits, and the
// number of windows whose score is below `half` (p > 1/2).
struct RunResult {
  std::vector<std::pair<std::int64_t, int>> hits;
  std::int64_t below_half = 0;
};

// Scores windows [0, n) of a run whose masks start at m1/m2/m3 (valid for n + w - 1 lanes,
// readable for n + w + 15). Built for AVX2 and baseline x86-64; the loader picks one.
__attribute__((target_clones("avx2", "default")))
void score_run(const std::uint16_t* m1, const std::uint16_t* m2, const std::uint16_t* m3,
               std::int64_t n, const Kernel& k, RunResult& out) {
  const int w = k.width;
  const std::uint16_t* d = k.delta.data();
  const std::int64_t full = n / kLanes * kLanes;
  const bool can_hit = k.min_hit <= k.max_score;
  const std::uint16_t thr = static_cast<std::uint16_t>(can_hit ? k.min_hit : 0);
  const std::uint16_t half = static_cast<std::uint16_t>(std::min(k.half, 65535));
  i16x16 below = {};
  std::int64_t below_total = 0, blocks = 0;
  for (std::int64_t i = 0; i < full; i += kLanes) {
    u16x16 acc = u16x16{} + k.base;
    for (int j = 0; j < w; ++j) {
      u16x16 a1, a2, a3;
      std::memcpy(&a1, m1 + i + j, sizeof a1);
      std::memcpy(&a2, m2 + i + j, sizeof a2);
      std::memcpy(&a3, m3 + i + j, sizeof a3);
      acc += (a1 & d[3 * j]) + (a2 & d[3 * j + 1]) + (a3 & d[3 * j + 2]);
    }
    below -= (i16x16)(acc < half);
    if (can_hit) {
      i16x16 hit = (i16x16)(acc >= thr);
      typedef std::uint64_t u64x4 __attribute__((vector_size(32)));
      u64x4 h = (u64x4)hit;
      if (h[0] | h[1] | h[2] | h[3]) {
        for (int l = 0; l < kLanes; ++l)
          if (hit[l]) out.hits.emplace_back(i + l, static_cast<int>(acc[l]));
      }
    }
    // 16-bit lane counters: fold before they can overflow
    if (++blocks == 16384) {
      for (int l = 0; l < kLanes; ++l) below_total += below[l];
      below = i16x16{};
      blocks = 0;
    }
  }
  for (int l = 0; l < kLanes; ++l) below_total += below[l];
  // the last partial block, one window at a time
  for (std::int64_t i = full; i < n; ++i) {
    unsigned s = k.base;
    for (int j = 0; j < w; ++j)
      s += (m1[i + j] & d[3 * j]) + (m2[i + j] & d[3 * j + 1]) + (m3[i + j] & d[3 * j + 2]);
    s &= 0xFFFF;
    if (static_cast<int>(s) < k.half) ++below_total;
    if (can_hit && static_cast<int>(s) >= k.min_hit) out.hits.emplace_back(i, static_cast<int>(s));
  }
  out.below_half += below_total;
}

// Motifs too wide for 16-bit sums: plain integer sums from the letter codes.
void score_run_wide(const std::uint8_t* codes, std::int64_t n, const ScanPssm& p, RunResult& out) {
  const int w = p.width;
  for (std::int64_t i = 0; i < n; ++i) {
    int s = 0;
    for (int j = 0; j < w; ++j) s += p.score[4 * static_cast<std::size_t>(j) + codes[i + j]];
    if (s < p.half) ++out.below_half;
    if (s >= p.min_hit) out.hits.emplace_back(i, s);
  }
}

std::uint8_t code_of(char c) {
  switch (c) {
    case 'A': case 'a': return 0;
    case 'C': case 'c': return 1;
    case 'G': case 'g': return 2;
    case 'T': case 't': return 3;
    default: return 4;
  }
}

char complement(char c) {
  switch (c) {
    case 'A': return 'T';
    case 'C': return 'G';
    case 'G': return 'C';
    case 'T': return 'A';
    default: return 'N';
  }
}

struct Chunk {
  int region = 0;
  std::int64_t start = 0, end = 0;  // window starts [start, end)
};

// Per-thread buffers, reused from chunk to chunk.
struct Workspace {
  std::string text;
  std::vector<std::uint8_t> codes;
  std::vector<std::uint16_t> m1, m2, m3;
  RunResult run;
};

struct ChunkResult {
  std::vector<ScanHit> hits;
  std::vector<std::int64_t> windows, above_half;
};

void scan_chunk(const genome::Genome& g, const ScanRegion& r, const Chunk& c, const ScanSet& set,
                const std::vector<Kernel>& kf, const std::vector<Kernel>& kr,
                const ScanOptions& opt, Workspace& ws, ChunkResult& out) {
  const std::size_t M = set.fwd.size();
  out.hits.clear();
  out.windows.assign(M, 0);
  out.above_half.assign(M, 0);
  const std::int64_t text_end = std::min(r.end, c.end + set.max_width - 1);
  const std::int64_t L = text_end - c.start;
  ws.text.resize(static_cast<std::size_t>(L));
  g.fetch(r.chrom, c.start, text_end, &ws.text[0]);
  const std::size_t padded = static_cast<std::size_t>(L) + static_cast<std::size_t>(set.max_width) + kLanes;
  ws.codes.assign(padded, 0);
  ws.m1.assign(padded, 0);
  ws.m2.assign(padded, 0);
  ws.m3.assign(padded, 0);
  for (std::int64_t i = 0; i < L; ++i) {
    std::uint8_t v = code_of(ws.text[static_cast<std::size_t>(i)]);
    ws.codes[static_cast<std::size_t>(i)] = v;
    ws.m1[static_cast<std::size_t>(i)] = v == 1 ? 0xFFFF : 0;
    ws.m2[static_cast<std::size_t>(i)] = v == 2 ? 0xFFFF : 0;
    ws.m3[static_cast<std::size_t>(i)] = v == 3 ? 0xFFFF : 0;
  }
  const std::int64_t starts = c.end - c.start;  // window starts owned by this chunk
  std::int64_t a = 0;
  while (a < L) {
    while (a < L && ws.codes[static_cast<std::size_t>(a)] == 4) ++a;
    std::int64_t b = a;
    while (b < L && ws.codes[static_cast<std::size_t>(b)] != 4) ++b;
    // run [a, b) of A/C/G/T
    if (a < starts && b > a) {
      for (std::size_t k = 0; k < M; ++k) {
        for (int strand = 0; strand < (opt.both_strands ? 2 : 1); ++strand) {
          const ScanPssm& p = strand == 0 ? set.fwd[k] : set.rev[k];
          const Kernel& kk = strand == 0 ? kf[k] : kr[k];
          const std::int64_t n = std::min(b - p.width + 1, starts) - a;
          if (n <= 0) continue;
          ws.run.hits.clear();
          ws.run.below_half = 0;
          if (kk.wide) score_run_wide(&ws.codes[static_cast<std::size_t>(a)], n, p, ws.run);
          else score_run(&ws.m1[static_cast<std::size_t>(a)], &ws.m2[static_cast<std::size_t>(a)],
                         &ws.m3[static_cast<std::size_t>(a)], n, kk, ws.run);
          out.windows[k] += n;
          out.above_half[k] += ws.run.below_half;
          for (const auto& h : ws.run.hits) {
            ScanHit hit;
            hit.motif = static_cast<int>(k);
            hit.region = c.region;
            hit.start = c.start + a + h.first;
            hit.strand = strand == 0 ? '+' : '-';
            hit.scaled = h.second;
            hit.score = p.raw_score(h.second);
            hit.pvalue = p.pvalue(h.second);
            if (opt.matched_sequence) {
              const std::size_t off = static_cast<std::size_t>(a + h.first);
              hit.sequence.resize(static_cast<std::size_t>(p.width));
              for (int j = 0; j < p.width; ++j) {
                char ch = static_cast<char>(ws.text[off + static_cast<std::size_t>(j)] & ~0x20);
                if (strand == 0) hit.sequence[static_cast<std::size_t>(j)] = ch;
                else hit.sequence[static_cast<std::size_t>(p.width - 1 - j)] = complement(ch);
              }
            }
            out.hits.push_back(std::move(hit));
          }
        }
      }
    }
    a = b;
  }
  std::sort(out.hits.begin(), out.hits.end(), [](const ScanHit& x, const ScanHit& y) {
    if (x.start != y.start) return x.start < y.start;
    if (x.motif != y.motif) return x.motif < y.motif;
    return x.strand == '+' && y.strand == '-';
  });
}

}  // namespace

ScanSet prepare_scan(const std::vector<Motif>& motifs, const std::array<double, 4>& background,
                     const ScanOptions& opt) {
  if (!(opt.threshold > 0 && opt.threshold <= 1))
    fail("threshold must be a p-value in (0, 1], not ", opt.threshold);
  if (!(opt.pseudocount >= 0)) fail("pseudocount must be >= 0, not ", opt.pseudocount);
  if (opt.chunk < 1) fail("chunk must be >= 1");
  std::array<double, 4> bg = background;
  double total = 0;
  for (double v : bg) {
    if (!(v > 0)) fail("background frequencies must all be > 0 (A, C, G, T)");
    total += v;
  }
  for (double& v : bg) v /= total;
  // Scanning both strands, FIMO makes the background strand-symmetric.
  if (opt.both_strands) {
    double at = (bg[0] + bg[3]) / 2, cg = (bg[1] + bg[2]) / 2;
    bg = {{at, cg, cg, at}};
  }
  ScanSet set;
  set.fwd.resize(motifs.size());
  if (opt.both_strands) set.rev.resize(motifs.size());
  parallelize(motifs.size(), opt.threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      if (motifs[i].width() < 1) fail("motif ", motifs[i].id, " has no positions");
      std::vector<double> p = fimo_pseudocount(motifs[i], bg, opt.pseudocount);
      try {
        set.fwd[i] = build_scan_pssm(p, bg, opt.threshold);
        if (opt.both_strands) set.rev[i] = build_scan_pssm(reverse_complement(p), bg, opt.threshold);
      } catch (const Error& err) {
        fail("motif ", motifs[i].id, ": ", err.what());
      }
    }
  });
  for (const auto& p : set.fwd) set.max_width = std::max(set.max_width, p.width);
  return set;
}

ScanCounts scan_genome(const genome::Genome& g, const std::vector<ScanRegion>& regions,
                       const ScanSet& set, const ScanOptions& opt,
                       const std::function<void(std::vector<ScanHit>&)>& sink,
                       const std::function<void()>& poll) {
  const std::size_t M = set.fwd.size();
  std::vector<Kernel> kf(M), kr(opt.both_strands ? M : 0);
  for (std::size_t k = 0; k < M; ++k) {
    kf[k] = make_kernel(set.fwd[k]);
    if (opt.both_strands) kr[k] = make_kernel(set.rev[k]);
  }
  std::vector<Chunk> chunks;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const ScanRegion& reg = regions[r];
    if (reg.chrom < 0 || static_cast<std::size_t>(reg.chrom) >= g.size())
      fail("region ", r + 1, " names no sequence of the genome");
    if (reg.start < 0 || reg.end > g.lengths()[static_cast<std::size_t>(reg.chrom)] || reg.start > reg.end)
      fail("region ", r + 1, " is not inside its sequence");
    for (std::int64_t s = reg.start; s < reg.end; s += opt.chunk)
      chunks.push_back({static_cast<int>(r), s, std::min(reg.end, s + opt.chunk)});
  }
  ScanCounts counts;
  counts.windows.assign(M, 0);
  counts.above_half.assign(M, 0);
  const int threads = opt.threads <= 0 ? default_threads() : opt.threads;
  const std::size_t batch = static_cast<std::size_t>(threads) * 4;
  std::vector<Workspace> ws(static_cast<std::size_t>(threads));
  std::vector<ChunkResult> res(batch);
  std::vector<ScanHit> out;
  for (std::size_t b0 = 0; b0 < chunks.size(); b0 += batch) {
    if (poll) poll();
    const std::size_t nb = std::min(batch, chunks.size() - b0);
    // one chunk per work item, so that a thread's items stay in order
    parallelize(nb, threads, [&](int t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const Chunk& c = chunks[b0 + i];
        scan_chunk(g, regions[static_cast<std::size_t>(c.region)], c, set, kf, kr, opt,
                   ws[static_cast<std::size_t>(t)], res[i]);
      }
    });
    out.clear();
    for (std::size_t i = 0; i < nb; ++i) {
      for (std::size_t k = 0; k < M; ++k) {
        counts.windows[k] += res[i].windows[k];
        counts.above_half[k] += res[i].above_half[k];
      }
      for (auto& h : res[i].hits) out.push_back(std::move(h));
    }
    if (!out.empty()) sink(out);
  }
  return counts;
}

std::array<double, 4> scan_background(const genome::Genome& g, const std::vector<ScanRegion>& regions,
                                      bool both_strands) {
  double n[4] = {0, 0, 0, 0};
  std::string buf;
  constexpr std::int64_t kPiece = 1 << 20;
  for (const auto& r : regions) {
    for (std::int64_t s = r.start; s < r.end; s += kPiece) {
      std::int64_t e = std::min(r.end, s + kPiece);
      buf.resize(static_cast<std::size_t>(e - s));
      g.fetch(r.chrom, s, e, &buf[0]);
      for (char ch : buf) {
        std::uint8_t v = code_of(ch);
        if (v < 4) n[v] += 1;
      }
    }
  }
  double total = n[0] + n[1] + n[2] + n[3];
  if (total == 0) fail("the subject has no A, C, G or T to take a background from");
  std::array<double, 4> bg{{n[0] / total, n[1] / total, n[2] / total, n[3] / total}};
  if (both_strands) {
    double at = (bg[0] + bg[3]) / 2, cg = (bg[1] + bg[2]) / 2;
    bg = {{at, cg, cg, at}};
  }
  return bg;
}

}  // namespace gdl::motif
