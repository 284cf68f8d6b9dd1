// Two consecutive scalings that canonicalization combines into one: the
// product 0.1 * 0.3 is rounded once instead of twice, which moves results
// by about one unit in the last place.
module attributes {kiln.max_seq_len = 8 : i64} {
  func.func @scales(%x: tensor<1x?x64xf32>) -> tensor<1x?x64xf32> {
    %a = kiln.scale %x by 0.1 : tensor<1x?x64xf32>
    %b = kiln.scale %a by 0.3 : tensor<1x?x64xf32>
    return %b : tensor<1x?x64xf32>
  }
}
