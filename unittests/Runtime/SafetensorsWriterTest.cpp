//===- SafetensorsWriterTest.cpp - Tests of the test file writer ----------===//
//
// The loader's tests are only as good as the files they load, so the writer
// is checked byte for byte against layouts worked out by hand from the
// format's description.
//
//===----------------------------------------------------------------------===//

#include "runtime/writer/SafetensorsWriter.h"

#include <gtest/gtest.h>

using namespace kiln::safetensors;

namespace {

TEST(SafetensorsWriterTest, LaysOutOneTensor) {
  std::string bytes =
      serializeSafetensors({{"a", "F32", {1}, toBytes<float>({1.0f})}});
  // 54 bytes of JSON padded to 56 = 0x38, then 1.0f little-endian.
  std::string expected("\x38\0\0\0\0\0\0\0", 8);
  expected += R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}  )";
  expected += std::string("\x00\x00\x80\x3f", 4);
  EXPECT_EQ(bytes, expected);
}

TEST(SafetensorsWriterTest, LaysOutMetadataEscapesAndConsecutiveTensors) {
  std::string bytes =
      serializeSafetensors({{"w\"", "U8", {2, 1}, "\x07\x08"},
                            {"b", "F16", {}, std::string("\x00\x3c", 2)}},
                           {{"format", "pt"}});
  // 140 bytes of JSON padded to 144 = 0x90.
  std::string expected("\x90\0\0\0\0\0\0\0", 8);
  expected += R"({"__metadata__":{"format":"pt"},)"
              R"("w\"":{"dtype":"U8","shape":[2,1],"data_offsets":[0,2]},)"
              R"("b":{"dtype":"F16","shape":[],"data_offsets":[2,4]}}    )";
  expected += std::string("\x07\x08\x00\x3c", 4);
  EXPECT_EQ(bytes, expected);
}

TEST(SafetensorsWriterTest, FramesTheHeaderLengthLittleEndian) {
  std::string header(0x0102, ' ');
  std::string bytes = frameSafetensors(header, "xy");
  ASSERT_EQ(bytes.size(), 8 + header.size() + 2);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x02\x01\0\0\0\0\0\0", 8));
  EXPECT_EQ(bytes.substr(8 + header.size()), "xy");
}

TEST(SafetensorsWriterTest, EscapesControlCharactersInNames) {
  EXPECT_EQ(toJsonString(std::string("a\0\n\\", 4)), R"("a\u0000\u000a\\")");
}

} // namespace
