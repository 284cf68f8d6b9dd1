//===- ShapeBucketTest.cpp - The sizes a schedule is tuned for ------------===//

#include "TuningTestSupport.h"

#include "codegen/tuning/ShapeBucket.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(ShapeBucketTest, TextRoundTripsAndIsCanonical) {
  llvm::Expected<ShapeBucket> bucket =
      ShapeBucket::parse("batch=2;seq=512,128,512");
  ASSERT_TRUE(bool(bucket)) << llvm::toString(bucket.takeError());
  EXPECT_EQ(bucket->batch, 2);
  EXPECT_EQ(bucket->seqLens, (llvm::SmallVector<int64_t>{128, 512}));
  EXPECT_EQ(bucket->str(), "batch=2;seq=128,512");
  llvm::Expected<ShapeBucket> again = ShapeBucket::parse(bucket->str());
  ASSERT_TRUE(bool(again));
  EXPECT_EQ(*again, *bucket);

  llvm::SmallVector<ShapeWorkload> workloads = bucket->getWorkloads();
  ASSERT_EQ(workloads.size(), 2u);
  EXPECT_EQ(workloads[0].str(), "batch=2,seq=128");
  EXPECT_EQ(workloads[1].getSize("encoder_seq"), 512);
  EXPECT_EQ(workloads[1].getSize("batch"), 2);
  EXPECT_FALSE(workloads[1].getSize("heads").has_value());
  EXPECT_EQ((ShapeWorkload{1, 37}).str(), "seq=37");
}

TEST(ShapeBucketTest, ParseRejectsOtherText) {
  for (const char *text :
       {"", "batch=1", "seq=128;batch=1", "batch=0;seq=1",
        "batch=1;seq=", "batch=1;seq=12x", "batch=1;seq=-4"}) {
    llvm::Expected<ShapeBucket> bucket = ShapeBucket::parse(text);
    ASSERT_FALSE(bool(bucket)) << text;
    EXPECT_EQ(llvm::toString(bucket.takeError()),
              std::string("expected a shape bucket like "
                          "'batch=1;seq=128,512', got '") +
                  text + "'");
  }
}

TEST(ShapeBucketTest, DefaultsAreClampedToTheModel) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OpBuilder builder(context.get());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(builder.getUnknownLoc());
  EXPECT_EQ(getDefaultShapeBucket(*module).str(), "batch=1;seq=128,512");
  EXPECT_EQ(getCheckWorkload(*module, ShapeBucket{2, {64}}).str(),
            "batch=2,seq=37");
  (*module)->setAttr("kiln.max_seq_len", builder.getI64IntegerAttr(1024));
  EXPECT_EQ(getDefaultShapeBucket(*module).str(), "batch=1;seq=128,512");
  (*module)->setAttr("kiln.max_seq_len", builder.getI64IntegerAttr(300));
  EXPECT_EQ(getDefaultShapeBucket(*module).str(), "batch=1;seq=128,300");
  (*module)->setAttr("kiln.max_seq_len", builder.getI64IntegerAttr(32));
  EXPECT_EQ(getDefaultShapeBucket(*module).str(), "batch=1;seq=32");
  EXPECT_EQ(getCheckWorkload(*module, ShapeBucket{1, {32}}).str(), "seq=32");
}

} // namespace
