// Shapes known before any file is read: continuous, sparse, seq2seq, secondary, outputShape.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "data/plan.hpp"

using namespace gdl::data;

TEST_CASE("plan shapes: continuous labels (tg, files) or (tg, cells, types), weights per position",
          "[data][plan]") {
  ShapeInput in;
  in.kind = TargetKind::Continuous;
  in.window = 2001;
  in.target_window = 10;
  in.n_files = 4;
  REQUIRE(plan_shapes(in).labels == Shape{10, 4});
  in.n_types = 2;
  in.weighted = true;
  auto s = plan_shapes(in);
  REQUIRE(s.labels == Shape{10, 2, 2});
  REQUIRE(s.has_weights);
  REQUIRE(s.weights == Shape{10});
  in.n_types = 3;
  REQUIRE_THROWS_WITH(plan_shapes(in), "nAnnotationTypes (3) must divide the number of bigWig files (4)");
  in.n_types = 0;
  in.target_window = 3000;
  REQUIRE_THROWS_WITH(plan_shapes(in), Catch::Contains("larger than the window"));
  in.target_window = 7;
  in.downsampling = Downsampling::Mean;
  REQUIRE_THROWS_WITH(plan_shapes(in), Catch::Contains("must divide the window"));
}

TEST_CASE("plan shapes: sparse (files, types), seq2seq (L, files, types), secondary", "[data][plan]") {
  ShapeInput in;
  in.kind = TargetKind::Sparse;
  in.window = 300;
  in.n_files = 2;
  in.n_ann = 3;
  REQUIRE(plan_shapes(in).labels == Shape{2, 3});
  in.seq2seq = true;
  REQUIRE(plan_shapes(in).labels == Shape{300, 2, 3});
  in.weighted = true;
  REQUIRE(plan_shapes(in).weights.empty());
  in.n_secondary = 4;
  in.secondary_types = 2;
  REQUIRE(plan_shapes(in).secondary == Shape{300, 2, 2});
  in.secondary_length = 100;
  in.secondary_types = 0;
  REQUIRE(plan_shapes(in).secondary == Shape{100, 4});
  in.secondary_length = 301;
  REQUIRE_THROWS_WITH(plan_shapes(in), Catch::Contains("secondaryLength (301) is larger"));
}

TEST_CASE("plan shapes: outputShape reshapes, with or without the batch size first", "[data][plan]") {
  ShapeInput in;
  in.kind = TargetKind::Sparse;
  in.window = 300;
  in.n_files = 2;
  in.n_ann = 3;
  in.batch_size = 32;
  in.output_shape = {6};
  REQUIRE(plan_shapes(in).labels == Shape{6});
  REQUIRE(plan_shapes(in).computed == Shape{2, 3});
  in.output_shape = {32, 3, 2};
  REQUIRE(plan_shapes(in).labels == Shape{3, 2});
  in.output_shape = {5};
  REQUIRE_THROWS_WITH(plan_shapes(in),
                      "outputShape (5) does not fit the labels of shape (2, 3): it must hold 6 values per sample");
  REQUIRE(resolve_output_shape({}, {2, 3}, 1) == Shape{2, 3});
}
