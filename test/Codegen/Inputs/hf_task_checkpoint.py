"""Rewrites a safetensors checkpoint of a base model the way a Hugging Face
task model stores it: every tensor below a base-model prefix (`bert.`,
`transformer.`), optionally with the TensorFlow-era LayerNorm names (`gamma`
and `beta` for `weight` and `bias`), plus the task head's own tensors, which
the base model never reads. The tensors' bytes are copied unchanged.

usage: hf_task_checkpoint.py IN OUT --prefix bert. [--legacy-norm-names]
"""

import argparse
import json
import struct

# A head tensor that shares the base model's tensor names below its own
# prefix, so that only the base-model prefix may resolve them.
HEAD_TENSORS = ["cls.predictions.transform.LayerNorm.weight",
                "cls.predictions.bias"]


def read_safetensors(path):
    """The header (without __metadata__) and the data of a safetensors file."""
    with open(path, "rb") as stream:
        (length,) = struct.unpack("<Q", stream.read(8))
        header = json.loads(stream.read(length))
        data = stream.read()
    header.pop("__metadata__", None)
    return header, data


def rename(name, prefix, legacy_norm_names):
    """The task model's name for base-model tensor `name`."""
    if legacy_norm_names and "norm" in name.lower():
        for modern, legacy in ((".weight", ".gamma"), (".bias", ".beta")):
            if name.endswith(modern):
                name = name[: -len(modern)] + legacy
    return prefix + name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--legacy-norm-names", action="store_true")
    args = parser.parse_args()

    header, data = read_safetensors(args.input)
    renamed = {rename(name, args.prefix, args.legacy_norm_names): entry
               for name, entry in header.items()}
    # The head's tensors hold one float each, after the base model's data.
    end = len(data)
    extra = b""
    for name in HEAD_TENSORS:
        renamed[name] = {"dtype": "F32", "shape": [1],
                         "data_offsets": [end + len(extra), end + len(extra) + 4]}
        extra += struct.pack("<f", 1.0)
    text = json.dumps(renamed).encode()
    text += b" " * (-len(text) % 8)
    with open(args.output, "wb") as stream:
        stream.write(struct.pack("<Q", len(text)))
        stream.write(text)
        stream.write(data + extra)


if __name__ == "__main__":
    main()
