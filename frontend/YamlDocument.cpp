//===- YamlDocument.cpp - A YAML document read into memory ----------------===//
//
// Walks the node tree of llvm::yaml once and copies it into YamlNode values.
//
//===----------------------------------------------------------------------===//

#include "frontend/YamlDocument.h"

#include "frontend/InputLimits.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/YAMLParser.h"

using namespace kiln;
using namespace llvm;

const YamlEntry *YamlNode::find(StringRef key) const {
  for (const YamlEntry &entry : entries)
    if (entry.key == key)
      return &entry;
  return nullptr;
}

StringRef YamlNode::describeKind() const {
  switch (kind) {
  case Kind::Null:
    return "no value";
  case Kind::Scalar:
    return "a scalar";
  case Kind::Mapping:
    return "a mapping";
  case Kind::Sequence:
    return "a list";
  }
  llvm_unreachable("unknown YAML node kind");
}

namespace {

/// Copies llvm::yaml nodes into YamlNode trees, reporting the constructs a
/// spec does not allow.
class YamlReader {
public:
  YamlReader(StringRef buffer, SpecDiagnostics &diagnostics)
      : buffer(buffer), diagnostics(diagnostics) {}

  /// Reads `node`, nested `depth` mappings deep; `keyLoc` stands in for the
  /// location of an empty value, which llvm::yaml places at the next token.
  /// After a syntax error llvm::yaml may hand out no node at all, which
  /// reads as empty.
  YamlNode read(yaml::Node *node, SMLoc keyLoc, unsigned depth = 0);

  /// Whether a construct was rejected (syntax errors are the stream's).
  bool hasRejected() const { return rejected; }

private:
  /// Reports an error and remembers that the document is unusable.
  void reject(SMLoc loc, const Twine &message) {
    diagnostics.error(loc, message);
    rejected = true;
  }

  /// Reads the entries of `mapping`, nested `depth` deep, into `result`.
  void readMapping(yaml::MappingNode &mapping, YamlNode &result,
                   unsigned depth);

  /// Where `node` starts: llvm::yaml starts a flow collection after its
  /// opening bracket, but a caret belongs on the bracket.
  SMLoc getStart(yaml::Node &node) const {
    const char *start = node.getSourceRange().Start.getPointer();
    if ((isa<yaml::MappingNode>(node) || isa<yaml::SequenceNode>(node)) &&
        start > buffer.begin() && (start[-1] == '{' || start[-1] == '['))
      --start;
    return SMLoc::getFromPointer(start);
  }

  StringRef buffer;
  SpecDiagnostics &diagnostics;
  bool rejected = false;
};

} // namespace

/// Whether a plain scalar is one of YAML's spellings of null.
static bool isNullScalar(StringRef value) {
  return value == "~" || value == "null" || value == "Null" || value == "NULL";
}

YamlNode YamlReader::read(yaml::Node *node, SMLoc keyLoc, unsigned depth) {
  YamlNode result;
  result.loc = keyLoc;
  if (!node)
    return result;
  result.loc = getStart(*node);
  // Flow collections were bounded before parsing; block mappings nest one
  // indentation step per level and are bounded here.
  if (depth > kMaxNesting) {
    reject(result.loc,
           "a spec nests at most " + Twine(kMaxNesting) + " levels deep");
    node->skip();
    return result;
  }
  if (!node->getRawTag().empty())
    reject(result.loc, "YAML tags are not supported in a spec");

  if (auto *scalar = dyn_cast<yaml::ScalarNode>(node)) {
    SmallString<32> storage;
    result.value = scalar->getValue(storage).str();
    StringRef raw = scalar->getRawValue();
    result.quoted = raw.starts_with("'") || raw.starts_with("\"");
    result.kind = !result.quoted && isNullScalar(result.value)
                      ? YamlNode::Kind::Null
                      : YamlNode::Kind::Scalar;
  } else if (auto *block = dyn_cast<yaml::BlockScalarNode>(node)) {
    result.kind = YamlNode::Kind::Scalar;
    result.value = block->getValue().str();
    result.quoted = true;
  } else if (auto *mapping = dyn_cast<yaml::MappingNode>(node)) {
    result.kind = YamlNode::Kind::Mapping;
    readMapping(*mapping, result, depth);
  } else if (isa<yaml::SequenceNode>(node)) {
    result.kind = YamlNode::Kind::Sequence;
    node->skip();
  } else if (isa<yaml::AliasNode>(node)) {
    // llvm::yaml gives aliases no location of their own.
    reject(keyLoc, "YAML aliases are not supported in a spec");
  } else {
    // An empty value: llvm::yaml points it at whatever token follows.
    result.kind = YamlNode::Kind::Null;
    result.loc = keyLoc;
  }
  return result;
}

void YamlReader::readMapping(yaml::MappingNode &mapping, YamlNode &result,
                             unsigned depth) {
  StringMap<SMLoc> seenKeys;
  for (yaml::KeyValueNode &entry : mapping) {
    yaml::Node *keyNode = entry.getKey();
    if (!keyNode)
      return; // A syntax error, which the stream has reported.
    SMLoc keyLoc = getStart(*keyNode);
    auto *scalarKey = dyn_cast<yaml::ScalarNode>(keyNode);
    if (!scalarKey || !keyNode->getRawTag().empty()) {
      reject(keyLoc, "expected a plain scalar as mapping key");
      keyNode->skip();
      entry.skip();
      continue;
    }
    SmallString<32> storage;
    std::string key = scalarKey->getValue(storage).str();
    YamlNode value = read(entry.getValue(), keyLoc, depth + 1);

    auto [previous, inserted] = seenKeys.try_emplace(key, keyLoc);
    if (!inserted) {
      reject(keyLoc, "duplicate key '" + key + "'");
      diagnostics.note(previous->second, "'" + key + "' first given here");
      continue;
    }
    result.entries.push_back({std::move(key), keyLoc, std::move(value)});
  }
}

std::optional<YamlNode> kiln::readYamlDocument(unsigned bufferId,
                                               SpecDiagnostics &diagnostics) {
  SourceMgr &sourceMgr = diagnostics.getSourceMgr();
  const MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(bufferId);
  if (std::optional<size_t> offset =
          findExcessiveNesting(buffer->getBuffer())) {
    diagnostics.error(SMLoc::getFromPointer(buffer->getBufferStart() + *offset),
                      "a spec nests at most " + Twine(kMaxNesting) +
                          " levels deep");
    return std::nullopt;
  }
  if (std::optional<size_t> offset =
          findExcessiveBrackets(buffer->getBuffer())) {
    diagnostics.error(SMLoc::getFromPointer(buffer->getBufferStart() + *offset),
                      "a spec holds at most " + Twine(kMaxBrackets) +
                          " '{' and '[' characters");
    return std::nullopt;
  }
  yaml::Stream stream(buffer->getMemBufferRef(), sourceMgr);
  YamlReader reader(buffer->getBuffer(), diagnostics);

  auto document = stream.begin();
  SMLoc bufferStart = SMLoc::getFromPointer(buffer->getBufferStart());
  YamlNode root;
  if (document != stream.end())
    root = reader.read(document->getRoot(), bufferStart);
  if (stream.failed() || reader.hasRejected())
    return std::nullopt;

  if (document != stream.end() && ++document != stream.end()) {
    yaml::Node *second = document->getRoot();
    diagnostics.error(second ? second->getSourceRange().Start : bufferStart,
                      "a spec holds a single YAML document; remove this one");
    return std::nullopt;
  }
  if (stream.failed())
    return std::nullopt;
  if (root.kind == YamlNode::Kind::Null)
    root.loc = bufferStart;
  return root;
}
