//===- Checkpoint.cpp - A set of safetensors files opened as one ----------===//
//
// Resolves the path a user gives to the files of a checkpoint and checks a
// shard index against the shards it lists: each shard is opened once, and
// the index must map every tensor of every shard to that shard and list no
// tensor that its shard lacks. A tensor in two shards is thereby an error
// too, since the index maps it to only one of them.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Checkpoint.h"

#include "runtime/src/Json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sys/stat.h>
#include <unordered_map>

using namespace kiln::runtime;

/// The most shards a message lists by name.
constexpr size_t maxListedShards = 8;

/// The kind of file system entry at `path`, or an error naming it.
static Status statPath(const std::string &path, struct stat &info) {
  if (stat(path.c_str(), &info) == 0)
    return ok();
  int error = errno;
  return makeError(error == ENOENT ? KILN_STATUS_NOT_FOUND
                                   : KILN_STATUS_IO_ERROR,
                   "cannot open " + quote(path) + ": " + std::strerror(error));
}

/// Whether `path` names a regular file (or a link to one).
static bool isRegularFile(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

static bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

/// Whether an index may name `shard`: a relative path that stays inside the
/// index's directory, so a crafted index cannot make the runtime map files
/// elsewhere.
static bool isSafeShardName(std::string_view shard) {
  if (shard.empty() || shard.front() == '/' ||
      shard.find('\0') != std::string_view::npos)
    return false;
  size_t start = 0;
  while (start <= shard.size()) {
    size_t slash = std::min(shard.find('/', start), shard.size());
    if (shard.substr(start, slash - start) == "..")
      return false;
    start = slash + 1;
  }
  return true;
}

Status Checkpoint::open(const std::string &path, Checkpoint &checkpoint) {
  struct stat info;
  if (Status error = statPath(path, info))
    return error;
  if (S_ISDIR(info.st_mode)) {
    std::string directory = path.back() == '/' ? path : path + "/";
    std::string single = directory + std::string(singleFileName);
    if (isRegularFile(single))
      return checkpoint.openFile(single);
    std::string index = directory + std::string(shardIndexName);
    if (isRegularFile(index))
      return checkpoint.openIndex(index);
    return makeError(KILN_STATUS_NOT_FOUND,
                     "directory " + quote(path) + " holds neither " +
                         std::string(singleFileName) + " nor " +
                         std::string(shardIndexName));
  }
  if (endsWith(path, ".json"))
    return checkpoint.openIndex(path);
  return checkpoint.openFile(path);
}

Status Checkpoint::openFile(const std::string &filePath) {
  path = filePath;
  auto &file = files.emplace_back(std::make_unique<SafetensorsFile>());
  if (Status error = SafetensorsFile::open(filePath, *file))
    return error;
  for (const TensorEntry &entry : file->layout.tensors)
    tensors.push_back({&entry, file.get()});
  sortTensors();
  return ok();
}

Status Checkpoint::openIndex(const std::string &indexPath) {
  path = indexPath;
  isSharded = true;
  auto invalid = [&](const std::string &message) {
    return makeError(KILN_STATUS_INVALID_FORMAT,
                     quote(indexPath) + ": " + message);
  };

  MappedFile indexFile;
  if (Status error = MappedFile::open(indexPath, indexFile))
    return error;
  if (indexFile.size() > maxSafetensorsHeaderBytes)
    return invalid("index is " + std::to_string(indexFile.size()) +
                   " bytes, more than the limit of " +
                   std::to_string(maxSafetensorsHeaderBytes));
  JsonError jsonError;
  std::optional<JsonValue> index =
      parseJson(indexFile.slice(0, indexFile.size()), jsonError);
  if (!index)
    return invalid("index is not valid JSON: " + jsonError.message +
                   " at byte " + std::to_string(jsonError.offset));
  if (index->kind != JsonValue::Kind::Object)
    return invalid("index must be a JSON object, got " + index->describe());
  for (const JsonMember &member : index->members)
    if (member.key != "metadata" && member.key != "weight_map")
      return invalid("index has unknown field " + quote(member.key) +
                     ", expected metadata and weight_map");
  const JsonValue *metadata = index->find("metadata");
  if (metadata && metadata->kind != JsonValue::Kind::Object)
    return invalid("index metadata must be an object, got " +
                   metadata->describe());
  const JsonValue *weightMap = index->find("weight_map");
  if (!weightMap)
    return invalid("index has no weight_map");
  if (weightMap->kind != JsonValue::Kind::Object)
    return invalid("index weight_map must be an object, got " +
                   weightMap->describe());

  // Tensor name -> shard, and each distinct shard once, in name order.
  std::unordered_map<std::string_view, std::string_view> shardOfTensor;
  std::set<std::string_view> shards;
  for (const JsonMember &member : weightMap->members) {
    const JsonValue &shard = member.value;
    if (shard.kind != JsonValue::Kind::String)
      return invalid("weight_map entry " + quote(member.key) +
                     " must be a file name, got " + shard.describe());
    if (!isSafeShardName(shard.text))
      return invalid("weight_map entry " + quote(member.key) + " names file " +
                     quote(shard.text) +
                     ", expected a relative path inside the index's "
                     "directory");
    shardOfTensor.emplace(member.key, shard.text);
    shards.insert(shard.text);
  }

  size_t slash = indexPath.rfind('/');
  std::string directory =
      slash == std::string::npos ? "" : indexPath.substr(0, slash + 1);
  for (std::string_view shardName : shards) {
    auto &file = files.emplace_back(std::make_unique<SafetensorsFile>());
    if (Status error =
            SafetensorsFile::open(directory + std::string(shardName), *file))
      return error;
    for (const TensorEntry &entry : file->layout.tensors) {
      auto mapped = shardOfTensor.find(entry.name);
      if (mapped == shardOfTensor.end())
        return invalid("tensor " + quote(entry.name) + " of shard " +
                       quote(shardName) + " is not in the weight_map");
      if (mapped->second != shardName)
        return invalid("tensor " + quote(entry.name) + " of shard " +
                       quote(shardName) + " is mapped to " +
                       quote(mapped->second));
      tensors.push_back({&entry, file.get()});
    }
  }
  sortTensors();

  if (tensors.size() != shardOfTensor.size()) {
    for (const JsonMember &member : weightMap->members)
      if (!find(member.key))
        return invalid("tensor " + quote(member.key) + " is mapped to " +
                       quote(member.value.text) + ", which has no such tensor");
  }
  return ok();
}

void Checkpoint::sortTensors() {
  std::sort(tensors.begin(), tensors.end(),
            [](const CheckpointTensor &lhs, const CheckpointTensor &rhs) {
              return lhs.entry->name < rhs.entry->name;
            });
}

const CheckpointTensor *Checkpoint::find(std::string_view name) const {
  auto it = std::lower_bound(
      tensors.begin(), tensors.end(), name,
      [](const CheckpointTensor &tensor, std::string_view wanted) {
        return tensor.entry->name < wanted;
      });
  if (it == tensors.end() || it->entry->name != name)
    return nullptr;
  return &*it;
}

/// `name` and, for a `.weight` or `.bias`, its legacy LayerNorm spelling
/// with `.gamma` or `.beta` (the names of TensorFlow-era checkpoints).
static std::vector<std::string> getSpellings(std::string_view name) {
  std::vector<std::string> spellings = {std::string(name)};
  for (auto [modern, legacy] :
       {std::pair<std::string_view, std::string_view>(".weight", ".gamma"),
        {".bias", ".beta"}})
    if (endsWith(name, modern))
      spellings.push_back(
          std::string(name.substr(0, name.size() - modern.size())) +
          std::string(legacy));
  return spellings;
}

Status Checkpoint::findModelTensor(std::string_view name,
                                   const CheckpointTensor *&tensor) const {
  std::vector<std::string> spellings = getSpellings(name);
  for (const std::string &spelling : spellings)
    if ((tensor = find(spelling)))
      return ok();
  for (const std::string &spelling : spellings) {
    std::vector<const CheckpointTensor *> prefixed;
    for (const CheckpointTensor &candidate : tensors) {
      std::string_view stored = candidate.entry->name;
      size_t dot = stored.find('.');
      if (dot != std::string_view::npos && stored.substr(dot + 1) == spelling)
        prefixed.push_back(&candidate);
    }
    if (prefixed.size() > 1)
      return makeError(KILN_STATUS_INVALID_FORMAT,
                       "tensor " + quote(name) + " is ambiguous in " +
                           describe() + ": both " +
                           quote(prefixed[0]->entry->name) + " and " +
                           quote(prefixed[1]->entry->name) + " hold it");
    if (prefixed.size() == 1) {
      tensor = prefixed.front();
      return ok();
    }
  }
  std::string tried = quote(name);
  for (size_t i = 1; i < spellings.size(); ++i)
    tried += " or " + quote(spellings[i]);
  return makeError(KILN_STATUS_NOT_FOUND,
                   "tensor " + tried + " not found in " + describe() +
                       ", neither as named nor below a base-model prefix "
                       "such as 'bert.'");
}

std::string Checkpoint::describe() const {
  if (!isSharded)
    return quote(path);
  std::string text = quote(path) + " (shards ";
  for (size_t i = 0; i < files.size() && i < maxListedShards; ++i)
    text += (i ? ", " : "") + quote(files[i]->path);
  if (files.size() > maxListedShards)
    text += ", ... " + std::to_string(files.size()) + " in all";
  return text + ")";
}
