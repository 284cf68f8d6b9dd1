//===- Checkpoint.h - A set of safetensors files opened as one --*- C++ -*-===//
//
// A checkpoint is either one safetensors file or the shards listed by a
// `model.safetensors.index.json` (`{"metadata": {...}, "weight_map":
// {tensor: shard file}}`). Opening one validates every file and the index
// against the shards, then exposes all tensors under one name table.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CHECKPOINT_H
#define KILN_RUNTIME_SRC_CHECKPOINT_H

#include "runtime/src/Safetensors.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::runtime {

/// The name of the single-file checkpoint looked for in a directory.
constexpr std::string_view singleFileName = "model.safetensors";
/// The name of the sharded checkpoint index looked for in a directory.
constexpr std::string_view shardIndexName = "model.safetensors.index.json";

/// One tensor of a checkpoint and the file that holds it.
struct CheckpointTensor {
  const TensorEntry *entry;
  const SafetensorsFile *file;
};

/// An open, validated checkpoint.
class Checkpoint {
public:
  /// Opens the checkpoint at `path`: a safetensors file, a `.json` shard
  /// index, or a directory holding `model.safetensors` or else
  /// `model.safetensors.index.json`.
  static Status open(const std::string &path, Checkpoint &checkpoint);

  /// All tensors, ordered by name.
  const std::vector<CheckpointTensor> &getTensors() const { return tensors; }

  /// The tensor called `name`, or null.
  const CheckpointTensor *find(std::string_view name) const;

  /// The tensor holding model weight `name`, found as Hugging Face models
  /// load checkpoints: `name` itself, else `name` below one leading
  /// component, the base-model prefix that task models such as
  /// `BertForMaskedLM` (`bert.`) or `GPT2LMHeadModel` (`transformer.`)
  /// store their base model under; each also with the legacy LayerNorm
  /// suffixes `gamma` and `beta` for `weight` and `bias`. Fails with
  /// NOT_FOUND, or INVALID_FORMAT when two prefixes both hold `name`.
  Status findModelTensor(std::string_view name,
                         const CheckpointTensor *&tensor) const;

  /// The checkpoint for messages: its file, or its index and shards.
  std::string describe() const;

private:
  Status openFile(const std::string &filePath);
  Status openIndex(const std::string &indexPath);
  /// Orders `tensors` by name so find can bisect.
  void sortTensors();

  /// The file opened: the safetensors file or the index.
  std::string path;
  bool isSharded = false;
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  std::vector<CheckpointTensor> tensors;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_CHECKPOINT_H
