"""Writes the weights of the toy model (unittests/Runtime/ToyModel.h) as a
safetensors file, with the hand-chosen values of ModelTestSupport.h:

  embed.table[v] = [v, v + 1, 2v, -v]    embed.scale = [1, 0.5, 2, 1]
  embed.bias     = [0, 1, 0, -1]         lm_head[v]  = +-e(v mod 4)

lm_head is stored transposed, [4, 8]. Options break the checkpoint in the
ways the executable must report.

usage: write-toy-checkpoint.py OUT [--dtype F32|BF16] [--drop NAME]
                               [--grow NAME]
"""

import argparse
import json
import struct

VOCAB, WIDTH = 8, 4


def toy_tensors():
    """The toy's tensors as (name, shape, values) in stored layout."""
    table = [x for v in range(VOCAB) for x in (v, v + 1, 2 * v, -v)]
    head = [0.0] * (WIDTH * VOCAB)
    for v in range(VOCAB):
        head[(v % WIDTH) * VOCAB + v] = 1.0 if v < WIDTH else -1.0
    return [
        ("embed.table", [VOCAB, WIDTH], table),
        ("embed.scale", [WIDTH], [1, 0.5, 2, 1]),
        ("embed.bias", [WIDTH], [0, 1, 0, -1]),
        ("lm_head", [WIDTH, VOCAB], head),
    ]


def encode(values, dtype):
    """Little-endian bytes of `values`; BF16 by truncation, exact here."""
    data = struct.pack("<%df" % len(values), *values)
    if dtype == "F32":
        return data
    return b"".join(data[i + 2:i + 4] for i in range(0, len(data), 4))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--dtype", default="F32", choices=["F32", "BF16"])
    parser.add_argument("--drop", help="leave this tensor out")
    parser.add_argument("--grow", help="give this tensor an extra row")
    args = parser.parse_args()

    header, data = {}, b""
    for name, shape, values in toy_tensors():
        if name == args.drop:
            continue
        if name == args.grow:
            shape = [shape[0] + 1] + shape[1:]
            values = values + values[:len(values) // (shape[0] - 1)]
        encoded = encode(values, args.dtype)
        header[name] = {"dtype": args.dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(encoded)]}
        data += encoded
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(args.out, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + data)


if __name__ == "__main__":
    main()
