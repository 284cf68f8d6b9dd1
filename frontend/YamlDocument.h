//===- YamlDocument.h - A YAML document read into memory --------*- C++ -*-===//
//
// llvm::yaml parses lazily and lets each node be visited once, in file order.
// The spec parser needs to look at sections in a fixed order and at some keys
// before others, so this reads the single document of a spec into a small
// tree of mappings and scalars that keeps the location of every key and
// value. Reading also rejects what a spec never needs and LLVM's parser would
// otherwise accept silently: several documents, duplicate keys, non-scalar
// keys, aliases and tags.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_YAMLDOCUMENT_H
#define KILN_FRONTEND_YAMLDOCUMENT_H

#include "frontend/SpecDiagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln {

struct YamlEntry;

/// One node of a YAML document.
struct YamlNode {
  /// `Null` is an empty value, `~` or `null`.
  enum class Kind { Null, Scalar, Mapping, Sequence };

  Kind kind = Kind::Null;
  /// Where the node starts (for an empty value, where its key starts).
  llvm::SMLoc loc;
  /// Scalars: the value, with quotes and escapes resolved.
  std::string value;
  /// Scalars: written in quotes (or as a block scalar), so it is a string
  /// even if it looks like a number or a boolean.
  bool quoted = false;
  /// Mappings: the entries in file order, keys unique. Sequences keep no
  /// items because no spec field is a list.
  std::vector<YamlEntry> entries;

  /// The entry of a mapping with key `key`, or null.
  const YamlEntry *find(llvm::StringRef key) const;
  /// A short description of the node's kind for diagnostics ("a mapping").
  llvm::StringRef describeKind() const;
};

/// A key and its value in a mapping.
struct YamlEntry {
  std::string key;
  llvm::SMLoc keyLoc;
  YamlNode value;
};

/// Reads the buffer `bufferId` of the diagnostics' SourceMgr as a YAML stream
/// holding exactly one document. Returns std::nullopt after reporting syntax
/// errors or one of the constructs rejected above.
std::optional<YamlNode> readYamlDocument(unsigned bufferId,
                                         SpecDiagnostics &diagnostics);

} // namespace kiln

#endif // KILN_FRONTEND_YAMLDOCUMENT_H
