//===- SpecParser.cpp - Parse Kiln's YAML model spec ----------------------===//
//
// The document is first read into a YamlDocument tree; sections are then read
// in a fixed order through per-section tables of field rules, so that every
// field has one place that knows its key, its type and where it goes in the
// ModelSpec. Only after all sections does the parser settle what depends on
// several of them: whether the fields contradict the family, the topology,
// which stacks exist and their layer counts, and the required fields.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecParser.h"

#include "frontend/FamilyDefaults.h"
#include "frontend/SpecKeywords.h"
#include "frontend/SpecValidation.h"
#include "frontend/WeightNames.h"
#include "frontend/YamlDocument.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

#include <cmath>
#include <functional>

using namespace kiln;
using namespace llvm;

//===----------------------------------------------------------------------===//
// Vocabulary
//===----------------------------------------------------------------------===//

namespace {

/// Reads the value of one field into the spec, reporting errors itself.
using FieldReader =
    std::function<void(const YamlNode &value, const std::string &path)>;

/// A key of a section and how to read its value.
struct FieldRule {
  StringLiteral key;
  FieldReader read;
};

} // namespace

/// The sections in the order they are read: a stack's own mask settings
/// override those of `attention`, and `embeddings.scale: sqrt_d_model` reads
/// `model.d_model`.
static constexpr StringRef kSections[] = {
    "model",      "attention", "ffn",     "norm",   "positions",
    "embeddings", "encoder",   "decoder", "output", "weights"};

/// The value of `embeddings.scale` that scales by the square root of d_model.
static constexpr StringLiteral kSqrtDModel = "sqrt_d_model";

/// Whether `text` is a decimal integer with an optional sign.
static bool isIntegerLiteral(StringRef text) {
  text.consume_front("+") || text.consume_front("-");
  return !text.empty() && all_of(text, isDigit);
}

/// Whether `text` is a decimal number: `3`, `-0.5`, `1e-5`, `.25`.
static bool isNumberLiteral(StringRef text) {
  static const Regex number(
      "^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?$");
  return number.match(text);
}

//===----------------------------------------------------------------------===//
// SpecParser
//===----------------------------------------------------------------------===//

namespace {

/// Turns the YAML tree of one spec into a ModelSpec.
class SpecParser {
public:
  SpecParser(unsigned bufferId, SpecDiagnostics &diagnostics)
      : diagnostics(diagnostics), bufferId(bufferId) {}

  /// Reads, completes and validates the spec; std::nullopt after errors.
  std::optional<ModelSpec> parse();

private:
  //===--------------------------------------------------------------------===//
  // Diagnostics
  //===--------------------------------------------------------------------===//

  /// Reports an error at `loc` and marks the spec as failed.
  void error(SMLoc loc, const Twine &message) {
    diagnostics.error(loc, message);
    failed = true;
  }

  /// Reports an error at a recorded field location.
  void error(const SourceLoc &loc, const Twine &message) {
    diagnostics.error(loc, message);
    failed = true;
  }

  /// Reports a key that is not one of `known`, with a hint when it looks
  /// like a misspelling; `what` names the kind of key and `where` the
  /// mapping it is in.
  void reportUnknownKey(const YamlEntry &entry, StringRef what,
                        ArrayRef<StringRef> known, const Twine &where) {
    std::string hint;
    if (std::optional<StringRef> match = findClosestMatch(entry.key, known))
      hint = ("; did you mean '" + *match + "'?").str();
    else
      hint = "; expected one of " + join(known, ", ");
    error(entry.keyLoc,
          "unknown " + what + " '" + entry.key + "'" + where + hint);
  }

  /// Reports that `value` of field `path` is not `expected`.
  void reportTypeError(const YamlNode &value, const std::string &path,
                       StringRef expected) {
    if (value.kind == YamlNode::Kind::Null)
      return error(value.loc,
                   "missing value for '" + path + "'; expected " + expected);
    if (value.kind != YamlNode::Kind::Scalar)
      return error(value.loc, "expected " + expected + " for '" + path +
                                  "', got " + value.describeKind());
    error(value.loc, "expected " + expected + " for '" + path + "', got " +
                         (value.quoted ? "the string " : "") + "'" +
                         value.value + "'");
  }

  /// Reports a required field that the spec lacks, at its section or, if the
  /// section is missing too, at the start of the spec.
  void reportMissing(const std::string &path, const Twine &reason = "") {
    const YamlEntry *section = root.find(StringRef(path).split('.').first);
    error(section ? section->keyLoc : root.loc,
          "missing required field '" + path + "'" + reason);
  }

  /// Whether the spec gives the field at dotted path `path`.
  bool given(const Twine &path) const {
    return spec.fieldLocs.count(path.str()) != 0;
  }

  //===--------------------------------------------------------------------===//
  // Values
  //===--------------------------------------------------------------------===//

  /// A plain decimal integer.
  std::optional<int64_t> readInteger(const YamlNode &value,
                                     const std::string &path) {
    StringRef text = value.value;
    if (value.kind != YamlNode::Kind::Scalar || value.quoted ||
        !isIntegerLiteral(text)) {
      reportTypeError(value, path, "an integer");
      return std::nullopt;
    }
    text.consume_front("+");
    int64_t result;
    if (text.getAsInteger(10, result)) {
      error(value.loc,
            "integer '" + value.value + "' for '" + path + "' is out of range");
      return std::nullopt;
    }
    return result;
  }

  /// A plain decimal number (`1e-5`, `.5`, `10000`).
  std::optional<double> readNumber(const YamlNode &value,
                                   const std::string &path) {
    double result;
    if (value.kind != YamlNode::Kind::Scalar || value.quoted ||
        !isNumberLiteral(value.value) ||
        StringRef(value.value).getAsDouble(result)) {
      reportTypeError(value, path, "a number");
      return std::nullopt;
    }
    return result;
  }

  /// A plain `true` or `false` (YAML 1.2 spellings; not `yes`/`no`).
  std::optional<bool> readBool(const YamlNode &value, const std::string &path) {
    if (value.kind == YamlNode::Kind::Scalar && !value.quoted) {
      StringRef text = value.value;
      if (text == "true" || text == "True" || text == "TRUE")
        return true;
      if (text == "false" || text == "False" || text == "FALSE")
        return false;
    }
    reportTypeError(value, path, "true or false");
    return std::nullopt;
  }

  /// Any scalar, quoted or not.
  std::optional<std::string> readString(const YamlNode &value,
                                        const std::string &path) {
    if (value.kind == YamlNode::Kind::Scalar)
      return value.value;
    reportTypeError(value, path, "a string");
    return std::nullopt;
  }

  /// One of `keywords`, quoted or not.
  template <typename E>
  std::optional<E> readEnum(const YamlNode &value, const std::string &path,
                            ArrayRef<Keyword<E>> keywords) {
    SmallVector<StringRef> names;
    for (const Keyword<E> &keyword : keywords) {
      if (value.kind == YamlNode::Kind::Scalar && value.value == keyword.name)
        return keyword.value;
      names.push_back(keyword.name);
    }
    std::string expected = "one of " + join(names, ", ");
    if (value.kind != YamlNode::Kind::Scalar)
      reportTypeError(value, path, expected);
    else
      error(value.loc, "invalid value '" + value.value + "' for '" + path +
                           "'; expected " + expected);
    return std::nullopt;
  }

  //===--------------------------------------------------------------------===//
  // Field rules
  //===--------------------------------------------------------------------===//

  /// Reads an integer into `field` (an int64_t or an optional one).
  template <typename T> FieldReader integer(T &field) {
    return [this, &field](const YamlNode &value, const std::string &path) {
      if (std::optional<int64_t> result = readInteger(value, path))
        field = *result;
    };
  }

  /// Reads a number into `field` (a double or an optional one).
  template <typename T> FieldReader number(T &field) {
    return [this, &field](const YamlNode &value, const std::string &path) {
      if (std::optional<double> result = readNumber(value, path))
        field = *result;
    };
  }

  /// Reads a boolean into `field`.
  FieldReader boolean(bool &field) {
    return [this, &field](const YamlNode &value, const std::string &path) {
      if (std::optional<bool> result = readBool(value, path))
        field = *result;
    };
  }

  /// Reads one of the keywords of `E` into `field` (an E or an optional
  /// one).
  template <typename E> FieldReader enumeration(std::optional<E> &field) {
    return [this, &field](const YamlNode &value, const std::string &path) {
      if (std::optional<E> result = readEnum(value, path, getKeywords<E>()))
        field = *result;
    };
  }
  template <typename E> FieldReader enumeration(E &field) {
    return [this, &field](const YamlNode &value, const std::string &path) {
      if (std::optional<E> result = readEnum(value, path, getKeywords<E>()))
        field = *result;
    };
  }

  /// `mask`, `padding_mask` and `sliding_window`, setting the self-attention
  /// of every stack in `masks`.
  std::vector<FieldRule> maskRules(SmallVector<AttentionMaskSpec *, 2> masks) {
    return {
        {"mask",
         [this, masks](const YamlNode &value, const std::string &path) {
           if (std::optional<bool> causal =
                   readEnum(value, path, getMaskKeywords()))
             for (AttentionMaskSpec *mask : masks)
               mask->causal = *causal;
         }},
        {"padding_mask",
         [this, masks](const YamlNode &value, const std::string &path) {
           if (std::optional<bool> padding = readBool(value, path))
             for (AttentionMaskSpec *mask : masks)
               mask->padding = *padding;
         }},
        {"sliding_window",
         [this, masks](const YamlNode &value, const std::string &path) {
           if (std::optional<int64_t> window = readInteger(value, path))
             for (AttentionMaskSpec *mask : masks)
               mask->slidingWindow = *window;
         }},
    };
  }

  /// The fields of each section.
  std::vector<FieldRule> modelRules() {
    return {
        {"name",
         [this](const YamlNode &value, const std::string &path) {
           if (std::optional<std::string> name = readString(value, path))
             spec.name = *name;
         }},
        {"family",
         [this](const YamlNode &value, const std::string &path) {
           std::optional<std::string> name = readString(value, path);
           if (!name)
             return;
           family = parseModelFamily(*name);
           if (!family)
             error(value.loc, "unknown model family '" + *name +
                                  "'; expected one of " +
                                  join(getModelFamilyNames(), ", "));
         }},
        {"topology", enumeration(spec.topology)},
        {"vocab_size", integer(spec.vocabSize)},
        {"d_model", integer(spec.dModel)},
        {"layers", integer(singleStackLayers)},
        {"max_seq_len", integer(spec.maxSeqLen)},
        {"batch", [this](const YamlNode &value,
                         const std::string &path) { readBatch(value, path); }},
        {"weight_dtype", enumeration(spec.weightDType)},
        {"residual_scale", number(spec.residualScale)},
    };
  }

  std::vector<FieldRule> attentionRules() {
    std::vector<FieldRule> rules = {
        {"heads", integer(spec.numHeads)},
        {"kv_heads", integer(spec.numKvHeads)},
        {"head_dim", integer(spec.headDim)},
        {"qkv_layout", enumeration(spec.qkvLayout)},
        {"bias", boolean(spec.attentionBias)},
        {"output_bias", boolean(spec.attentionOutputBias)},
        {"qk_norm", enumeration(spec.qkNorm)},
        {"scale", number(spec.attentionScale)},
    };
    append_range(rules, maskRules({&spec.encoder.selfAttention,
                                   &spec.decoder.selfAttention}));
    return rules;
  }

  std::vector<FieldRule> ffnRules() {
    return {{"dim", integer(spec.ffnDim)},
            {"kind", enumeration(spec.ffn)},
            {"bias", boolean(spec.mlpBias)}};
  }

  std::vector<FieldRule> normRules() {
    return {{"kind", enumeration(spec.norm)},
            {"placement", enumeration(spec.normPlacement)},
            {"parallel_mlp_norm", boolean(spec.parallelMlpNorm)},
            {"epsilon", number(spec.normEpsilon)},
            {"gamma_offset", number(spec.normGammaOffset)},
            {"bias", boolean(spec.normBias)},
            {"embedding_norm", boolean(spec.embeddingNorm)},
            {"final_norm", boolean(spec.finalNorm)}};
  }

  std::vector<FieldRule> positionRules() {
    PositionSpec &positions = spec.positions;
    return {
        {"kind", enumeration(positions.kind)},
        {"max", integer(positions.maxPositions)},
        {"theta", number(positions.theta)},
        {"rotary_dim", integer(positions.rotaryDim)},
        {"offset", integer(positions.offset)},
        {"padding_idx", integer(positions.paddingIdx)},
        {"rope_style", enumeration(positions.ropeStyle)},
        {"rope_scaling", enumeration(positions.ropeScaling)},
        {"rope_scaling_factor", number(positions.ropeScalingFactor)},
        {"rope_low_freq_factor", number(positions.ropeLowFreqFactor)},
        {"rope_high_freq_factor", number(positions.ropeHighFreqFactor)},
        {"rope_original_max_positions",
         integer(positions.ropeOriginalMaxPositions)},
    };
  }

  std::vector<FieldRule> embeddingRules() {
    return {{"tied", boolean(spec.tieEmbeddings)},
            {"scale",
             [this](const YamlNode &value, const std::string &path) {
               if (value.kind == YamlNode::Kind::Scalar &&
                   value.value == kSqrtDModel)
                 scaleBySqrtDModel = true;
               else if (std::optional<double> scale = readNumber(value, path))
                 spec.embeddingScale = *scale;
             }},
            {"token_types", integer(spec.typeVocabSize)}};
  }

  std::vector<FieldRule> stackRules(StackSpec &stack) {
    std::vector<FieldRule> rules = {{"layers", integer(stack.numLayers)}};
    append_range(rules, maskRules({&stack.selfAttention}));
    return rules;
  }

  std::vector<FieldRule> outputRules() {
    return {{"kind", enumeration(spec.output)},
            {"positions", enumeration(spec.outputPositions)},
            {"bias", boolean(spec.outputBias)},
            {"logits_scale", number(spec.logitsScale)},
            {"normalize", boolean(spec.pooling.l2Normalize)},
            {"mask_aware", boolean(spec.pooling.maskAware)}};
  }

  std::vector<FieldRule> weightRules() {
    return {{"prefix",
             [this](const YamlNode &value, const std::string &path) {
               if (std::optional<std::string> prefix = readString(value, path))
                 weightPrefix = *prefix;
             }},
            {"names", [this](const YamlNode &value, const std::string &path) {
               readWeightNames(value, path);
             }}};
  }

  /// The rules of section `name`.
  std::vector<FieldRule> getSectionRules(StringRef name) {
    if (name == "model")
      return modelRules();
    if (name == "attention")
      return attentionRules();
    if (name == "ffn")
      return ffnRules();
    if (name == "norm")
      return normRules();
    if (name == "positions")
      return positionRules();
    if (name == "embeddings")
      return embeddingRules();
    if (name == "encoder")
      return stackRules(spec.encoder);
    if (name == "decoder")
      return stackRules(spec.decoder);
    if (name == "output")
      return outputRules();
    assert(name == "weights" && "section without rules");
    return weightRules();
  }

  //===--------------------------------------------------------------------===//
  // Composite fields
  //===--------------------------------------------------------------------===//

  /// `batch: N` (fixed) or `batch: {max: N}` (dynamic, at most N).
  void readBatch(const YamlNode &value, const std::string &path) {
    if (value.kind != YamlNode::Kind::Mapping) {
      if (value.kind == YamlNode::Kind::Scalar && !value.quoted &&
          isIntegerLiteral(value.value)) {
        if (std::optional<int64_t> size = readInteger(value, path))
          spec.batch = {*size, /*dynamic=*/false};
        return;
      }
      return reportTypeError(value, path, "an integer or {max: N}");
    }
    const YamlEntry *max = nullptr;
    bool hasUnknownKeys = false;
    for (const YamlEntry &entry : value.entries) {
      if (entry.key == "max") {
        max = &entry;
        continue;
      }
      reportUnknownKey(entry, "field", {"max"}, " in '" + path + "'");
      hasUnknownKeys = true;
    }
    // An unknown key is most likely a misspelt `max`: one error is enough.
    if (!max && !hasUnknownKeys)
      error(value.loc, "missing 'max' in '" + path +
                           "'; a dynamic batch needs an upper bound");
    if (!max)
      return;
    spec.fieldLocs[path] = diagnostics.toSourceLoc(max->value.loc);
    if (std::optional<int64_t> size = readInteger(max->value, path + ".max"))
      spec.batch = {*size, /*dynamic=*/true};
  }

  /// `weights.names`: logical weight name -> `tensor` or
  /// `{name: tensor, transposed: bool}`.
  void readWeightNames(const YamlNode &value, const std::string &path) {
    if (value.kind != YamlNode::Kind::Mapping)
      return reportTypeError(value, path, "a mapping of weight names");
    SmallVector<StringRef> known(allWeightNames().begin(),
                                 allWeightNames().end());
    for (const YamlEntry &entry : value.entries) {
      if (!isKnownWeightName(entry.key)) {
        reportUnknownKey(entry, "weight", known, "");
        continue;
      }
      readWeightBinding(entry);
    }
  }

  /// One entry of `weights.names`, located by its tensor name.
  void readWeightBinding(const YamlEntry &entry) {
    std::string path = "weights.names." + entry.key;
    const YamlNode &value = entry.value;
    WeightBinding binding;
    SMLoc loc = value.loc;
    if (value.kind == YamlNode::Kind::Mapping) {
      const YamlNode *name = nullptr;
      bool hasUnknownKeys = false;
      for (const YamlEntry &field : value.entries) {
        if (field.key == "name") {
          name = &field.value;
        } else if (field.key == "transposed") {
          binding.transposed =
              readBool(field.value, path + ".transposed").value_or(false);
        } else {
          reportUnknownKey(field, "field", {"name", "transposed"},
                           " in '" + path + "'");
          hasUnknownKeys = true;
        }
      }
      // As for `batch`, an unknown key is most likely a misspelt `name`.
      if (!name && !hasUnknownKeys)
        error(value.loc, "missing 'name' in '" + path + "'");
      if (!name)
        return;
      loc = name->loc;
      std::optional<std::string> tensor = readString(*name, path + ".name");
      if (!tensor)
        return;
      binding.tensorName = *tensor;
    } else {
      std::optional<std::string> tensor = readString(value, path);
      if (!tensor)
        return;
      binding.tensorName = *tensor;
    }
    // Keyed by logical name, as MLIRGen looks bindings up.
    spec.fieldLocs["weights." + entry.key] = diagnostics.toSourceLoc(loc);
    spec.weights[entry.key] = std::move(binding);
  }

  //===--------------------------------------------------------------------===//
  // Sections
  //===--------------------------------------------------------------------===//

  /// Reads the fields of `section` with `rules`, recording where each is.
  void readSection(const YamlEntry &section, ArrayRef<FieldRule> rules) {
    if (section.value.kind != YamlNode::Kind::Mapping)
      return error(section.value.loc, "section '" + section.key +
                                          "' must be a mapping, got " +
                                          section.value.describeKind());
    SmallVector<StringRef> keys;
    for (const FieldRule &rule : rules)
      keys.push_back(rule.key);
    for (const YamlEntry &field : section.value.entries) {
      const FieldRule *rule = find_if(
          rules, [&](const FieldRule &rule) { return rule.key == field.key; });
      if (rule == rules.end()) {
        reportUnknownKey(field, "field", keys,
                         " in section '" + section.key + "'");
        continue;
      }
      std::string path = section.key + "." + field.key;
      spec.fieldLocs[path] = diagnostics.toSourceLoc(field.value.loc);
      rule->read(field.value, path);
    }
  }

  /// Checks the top-level keys and reads the sections in kSections order.
  void readSections() {
    for (const YamlEntry &entry : root.entries) {
      if (!is_contained(kSections, entry.key))
        reportUnknownKey(entry, "section", kSections, "");
      else
        spec.fieldLocs[entry.key] = diagnostics.toSourceLoc(entry.keyLoc);
    }
    for (StringRef name : kSections)
      if (const YamlEntry *section = root.find(name))
        readSection(*section, getSectionRules(name));
  }

  //===--------------------------------------------------------------------===//
  // Across sections
  //===--------------------------------------------------------------------===//

  /// Reports field `path` if the spec gives it and `contradicts` the family:
  /// the spec gives it as `value`, and `requirement` says what the family
  /// has instead ("which is decoder_only").
  void checkAgainstFamily(const std::string &path, bool contradicts,
                          StringRef value, const Twine &requirement) {
    if (!given(path) || !contradicts)
      return;
    error(spec.locOf(path),
          Twine(path) + " '" + value + "' contradicts family '" +
              getModelFamilyName(*family) + "', " + requirement +
              "; omit 'family' to describe a custom model");
  }

  /// A spec may override a family's defaults but not the choices that make a
  /// model a member of the family (docs/spec.md, "Overriding a family"): a
  /// GPT-2 with a bidirectional decoder or RoPE is another architecture,
  /// which no GPT-2 checkpoint holds.
  void checkFamilyArchitecture() {
    FamilyArchitecture architecture = getFamilyArchitecture(*family);
    checkAgainstFamily("model.topology", spec.topology != architecture.topology,
                       getKeywordName(spec.topology),
                       "which is " + getKeywordName(architecture.topology));
    checkAgainstFamily(
        "ffn.kind", isGated(spec.ffn) != architecture.gatedFfn,
        getKeywordName(spec.ffn),
        "whose MLP is " + Twine(architecture.gatedFfn ? "" : "not ") +
            "gated (" + joinFfnKinds(architecture.gatedFfn) + ")");
    checkAgainstFamily("norm.kind", spec.norm != architecture.norm,
                       getKeywordName(spec.norm),
                       "which uses " + getKeywordName(architecture.norm));
    // Parallel attention and MLP are a form of pre-norm.
    bool isPostNorm = spec.normPlacement == NormPlacement::Post;
    bool isFamilyPostNorm = architecture.placement == NormPlacement::Post;
    checkAgainstFamily("norm.placement", isPostNorm != isFamilyPostNorm,
                       getKeywordName(spec.normPlacement),
                       Twine("which is ") +
                           (isFamilyPostNorm ? "post" : "pre") + "-norm");
    checkAgainstFamily(
        "positions.kind", spec.positions.kind != architecture.positions,
        getKeywordName(spec.positions.kind),
        "which uses " + getKeywordName(architecture.positions) + " positions");

    if (architecture.topology != Topology::DecoderOnly)
      checkFamilyMask("encoder", spec.encoder, /*causal=*/false);
    if (architecture.topology != Topology::EncoderOnly)
      checkFamilyMask("decoder", spec.decoder, /*causal=*/true);
  }

  /// The `ffn.kind` keywords of the gated kinds, or of the plain ones.
  static std::string joinFfnKinds(bool gated) {
    SmallVector<StringRef> names;
    for (const Keyword<FfnKind> &keyword : getKeywords<FfnKind>())
      if (isGated(keyword.value) == gated)
        names.push_back(keyword.name);
    return join(names, ", ");
  }

  /// Reports the mask of stack `name` (its own, else `attention.mask`) if it
  /// contradicts the family, whose `name` is `causal` or bidirectional.
  void checkFamilyMask(StringRef name, const StackSpec &stack, bool causal) {
    std::string path = (name + ".mask").str();
    if (!given(path))
      path = "attention.mask";
    bool givenCausal = stack.selfAttention.causal;
    checkAgainstFamily(path, givenCausal != causal,
                       getKeywordName(getMaskKeywords(), givenCausal),
                       "whose " + name + " is " +
                           getKeywordName(getMaskKeywords(), causal));
  }

  /// The topology from `model.topology`, else from the family.
  void resolveTopology() {
    if (given("model.topology"))
      return;
    if (family)
      spec.topology = getFamilyArchitecture(*family).topology;
    else
      reportMissing("model.topology", " (a spec without 'model.family' "
                                      "must give it)");
  }

  /// Sections of stacks the topology lacks are errors, and the `attention`
  /// settings that went to every stack are dropped from a missing one;
  /// `model.layers` belongs to the single stack; every stack needs its layer
  /// count.
  void resolveStacks() {
    StringRef topology = getKeywordName(spec.topology);
    SmallVector<NamedStack, 2> stacks = stacksOf(spec);
    for (StringRef name : {"encoder", "decoder"}) {
      if (any_of(stacks, [&](NamedStack stack) { return stack.name == name; }))
        continue;
      (name == "encoder" ? spec.encoder : spec.decoder) = StackSpec();
      if (const YamlEntry *section = root.find(name))
        error(section->keyLoc, "section '" + name +
                                   "' does not apply to topology '" + topology +
                                   "'");
    }

    if (singleStackLayers) {
      if (stacks.size() != 1)
        return error(spec.locOf("model.layers"),
                     "'model.layers' is for single-stack models; an "
                     "encoder_decoder model gives 'encoder.layers' and "
                     "'decoder.layers'");
      std::string path = (stacks.front().name + ".layers").str();
      if (given(path))
        return error(spec.locOf(path), "the layer count is given twice, by "
                                       "'model.layers' and '" +
                                           path + "'");
      StackSpec &stack =
          stacks.front().name == "encoder" ? spec.encoder : spec.decoder;
      stack.numLayers = *singleStackLayers;
      spec.fieldLocs[path] = spec.locOf("model.layers");
      spellings[path] = "model.layers";
    }

    for (NamedStack stack : stacks) {
      std::string path = (stack.name + ".layers").str();
      if (given(path))
        continue;
      if (stacks.size() == 1)
        reportMissing("model.layers");
      else
        reportMissing(path, " (an encoder_decoder model needs the layer "
                            "count of both stacks)");
    }
  }

  /// Sizes are always required; without a family so are the choices that
  /// define the architecture.
  void checkRequired() {
    for (const char *path : {"model.vocab_size", "model.d_model",
                             "model.max_seq_len", "attention.heads", "ffn.dim"})
      if (!given(path))
        reportMissing(path);
    if (family)
      return;
    for (const char *path :
         {"ffn.kind", "norm.kind", "norm.placement", "positions.kind"})
      if (!given(path))
        reportMissing(path, " (a spec without 'model.family' must give it)");
  }

  /// Applies `weights.prefix` to every tensor name, defaults included.
  void applyWeightPrefix() {
    for (auto &entry : spec.weights)
      entry.second.tensorName = weightPrefix + entry.second.tensorName;
  }

  SpecDiagnostics &diagnostics;
  unsigned bufferId;
  YamlNode root;
  ModelSpec spec;
  std::optional<ModelFamily> family;
  /// `model.layers`: the layer count of a single-stack model.
  std::optional<int64_t> singleStackLayers;
  /// `embeddings.scale: sqrt_d_model`, resolved once d_model is known.
  bool scaleBySqrtDModel = false;
  std::string weightPrefix;
  /// Fields the spec gives under another name (`model.layers`).
  FieldSpellings spellings;
  bool failed = false;
};

} // namespace

std::optional<ModelSpec> SpecParser::parse() {
  std::optional<YamlNode> document = readYamlDocument(bufferId, diagnostics);
  if (!document)
    return std::nullopt;
  root = std::move(*document);

  StringRef file = diagnostics.getSourceMgr()
                       .getMemoryBuffer(bufferId)
                       ->getBufferIdentifier();
  spec.loc = diagnostics.toSourceLoc(root.loc);
  spec.loc.file = file.str();
  spec.name = toModelName(sys::path::stem(file));

  if (root.kind == YamlNode::Kind::Null) {
    error(root.loc, "the spec is empty; expected sections such as 'model' "
                    "and 'attention'");
    return std::nullopt;
  }
  if (root.kind != YamlNode::Kind::Mapping) {
    error(root.loc,
          "a spec must be a mapping of sections, got " + root.describeKind());
    return std::nullopt;
  }

  readSections();
  if (failed)
    return std::nullopt;
  if (family)
    checkFamilyArchitecture();
  if (failed)
    return std::nullopt;
  resolveTopology();
  if (failed)
    return std::nullopt;
  resolveStacks();
  checkRequired();
  if (failed)
    return std::nullopt;

  if (scaleBySqrtDModel)
    spec.embeddingScale = std::sqrt(static_cast<double>(spec.dModel));
  applyDefaults(family, spec);
  applyWeightPrefix();
  if (!validateModelSpec(spec, diagnostics, spellings))
    return std::nullopt;
  return std::move(spec);
}

std::optional<ModelSpec> kiln::parseKilnSpec(unsigned bufferId,
                                             SpecDiagnostics &diagnostics) {
  return SpecParser(bufferId, diagnostics).parse();
}
