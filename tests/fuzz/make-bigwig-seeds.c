/* Writes the bigWig seeds of fuzz_bigwig (called by make-corpus.R): small files with each kind
 * of data section libBigWig writes (bedGraph intervals, variable-step spans, fixed-step runs)
 * and 0-2 zoom levels; one holds the first 3,000 bases of chr1 of the example coverage.
 * Usage: make-bigwig-seeds <example_coverage.bw> <output folder> */
#include <bigWig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bigWigFile_t* create(const char* dir, const char* name, int zooms, const char* const* chroms,
                            const uint32_t* lens, int n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  bigWigFile_t* fp = bwOpen(path, NULL, "w");
  if (!fp || bwCreateHdr(fp, zooms) || !(fp->cl = bwCreateChromList(chroms, lens, n)) ||
      bwWriteHdr(fp)) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
  return fp;
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  if (bwInit(1 << 17)) return 1;
  {
    const char* chroms[] = {"c1", "c2"};
    uint32_t lens[] = {100, 50};
    bigWigFile_t* fp = create(argv[2], "two-chroms.bw", 1, chroms, lens, 2);
    const char* cs[] = {"c1", "c1"};
    uint32_t st[] = {10, 20}, en[] = {20, 30};
    float v[] = {1.5f, 3.0f}, v2[] = {1, 2, -4, 8};
    if (bwAddIntervals(fp, cs, st, en, v, 2) || bwAddIntervalSpanSteps(fp, "c2", 0, 5, 10, v2, 4))
      return 1;
    bwClose(fp);
  }
  {
    const char* chroms[] = {"chrX"};
    uint32_t lens[] = {200};
    bigWigFile_t* fp = create(argv[2], "spans.bw", 0, chroms, lens, 1);
    uint32_t st[16];
    float v[16];
    for (int i = 0; i < 16; ++i) st[i] = (uint32_t)(12 * i), v[i] = (float)sin(i);
    if (bwAddIntervalSpans(fp, "chrX", st, 3, v, 16)) return 1;
    bwClose(fp);
  }
  {
    bigWigFile_t* in = bwOpen(argv[1], NULL, "r");
    if (!in) return 1;
    bwOverlappingIntervals_t* o = bwGetOverlappingIntervals(in, "chr1", 0, 3000);
    if (!o || o->l == 0) return 1;
    const char* chroms[] = {"chr1"};
    uint32_t lens[] = {3000};
    bigWigFile_t* fp = create(argv[2], "example-slice.bw", 2, chroms, lens, 1);
    const char** cs = malloc(o->l * sizeof *cs);
    uint32_t* en = malloc(o->l * sizeof *en);
    for (uint32_t i = 0; i < o->l; ++i) cs[i] = "chr1", en[i] = o->end[i] > 3000 ? 3000 : o->end[i];
    if (bwAddIntervals(fp, cs, o->start, en, o->value, o->l)) return 1;
    bwClose(fp);
    free(cs);
    free(en);
    bwDestroyOverlappingIntervals(o);
    bwClose(in);
  }
  bwCleanup();
  return 0;
}
