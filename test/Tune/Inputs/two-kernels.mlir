// A model of two kernels, a layer norm and a softmax, small enough for the
// tuner's tests to measure in a few seconds.
module attributes {kiln.max_seq_len = 64 : i64, kiln.model = "two-kernels"} {
  func.func @forward(%x: tensor<1x?x64xf32> {kiln.input = "hidden"},
                     %gamma: tensor<64xf32> {kiln.weight = "norm.weight"},
                     %beta: tensor<64xf32> {kiln.weight = "norm.bias"})
      -> (tensor<1x?x64xf32> {kiln.output = "probabilities"}) {
    %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.000000e-05 : (tensor<1x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x?x64xf32>
    %1 = kiln.softmax %0 axis 2 : tensor<1x?x64xf32>
    return %1 : tensor<1x?x64xf32>
  }
}
