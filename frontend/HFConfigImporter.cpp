//===- HFConfigImporter.cpp - Import a Hugging Face config.json -----------===//
//
// llvm::json parses the file but keeps no positions, so the importer scans
// the text once more for the offsets of the top-level keys (in file order,
// which also gives diagnostics a stable order and catches duplicate keys,
// which llvm::json accepts silently). Each model type has a table saying,
// for every key it knows, which ModelSpec field it sets or why it is
// ignored or rejected.
//
//===----------------------------------------------------------------------===//

#include "frontend/HFConfigImporter.h"

#include "frontend/FamilyDefaults.h"
#include "frontend/InputLimits.h"
#include "frontend/SpecValidation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>

using namespace kiln;
using namespace llvm;

//===----------------------------------------------------------------------===//
// Reading the text
//===----------------------------------------------------------------------===//

namespace {

/// A key of the top-level object and the offset of its opening quote.
struct KeyOffset {
  std::string key;
  size_t offset;
};

/// How the importer treats one key of config.json.
struct HFField {
  StringLiteral key;
  /// The ModelSpec field it sets, as a dotted spec path; empty for keys
  /// that are only checked or ignored.
  StringLiteral specPath;
  /// Reads a non-null value, reporting errors itself; empty for keys that
  /// are ignored. A null value means "unset" in Hugging Face configs and is
  /// never read.
  std::function<void(const json::Value &value)> read;
  bool required = false;
};

/// A Hugging Face activation name and the FFN it gives.
struct ActivationName {
  StringLiteral name;
  FfnKind ffn;
};

} // namespace

/// The keys of the top-level object of `text`, in file order. `text` has
/// been accepted by json::parse, so the scan only needs to tell strings from
/// structure: a string directly inside the top-level object and followed by
/// a colon is a key.
static std::vector<KeyOffset> findTopLevelKeys(StringRef text) {
  std::vector<KeyOffset> keys;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      size_t start = i;
      for (++i; text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      size_t next = text.find_first_not_of(" \t\r\n", i + 1);
      if (depth != 1 || next == StringRef::npos || text[next] != ':')
        continue;
      // Let the JSON parser undo escapes rather than doing it twice.
      Expected<json::Value> key = json::parse(text.slice(start, i + 1));
      keys.push_back({key ? key->getAsString()->str() : "", start});
      if (!key)
        consumeError(key.takeError());
    }
  }
  return keys;
}

/// `text` without the UTF-8 byte order mark that some editors write, which
/// llvm::json (like JSON itself) does not allow. The result still points into
/// the SourceMgr's buffer, so locations stay exact.
static StringRef withoutByteOrderMark(StringRef text) {
  text.consume_front("\xEF\xBB\xBF");
  return text;
}

/// Describes a JSON value for a type error: its kind, and the value itself
/// when it is short.
static std::string describe(const json::Value &value) {
  switch (value.kind()) {
  case json::Value::Null:
    return "null";
  case json::Value::Array:
    return "an array";
  case json::Value::Object:
    return "an object";
  default: {
    std::string text;
    raw_string_ostream(text) << value;
    return text;
  }
  }
}

//===----------------------------------------------------------------------===//
// Field tables
//===----------------------------------------------------------------------===//

static constexpr ActivationName kGpt2Activations[] = {
    {"gelu_new", FfnKind::GeluTanh},  {"gelu_pytorch_tanh", FfnKind::GeluTanh},
    {"gelu_fast", FfnKind::GeluTanh}, {"gelu", FfnKind::Gelu},
    {"relu", FfnKind::Relu},          {"silu", FfnKind::Silu},
    {"swish", FfnKind::Silu}};

/// BERT and DistilBERT accept the same activations as GPT-2.
static constexpr ArrayRef<ActivationName> kBertActivations = kGpt2Activations;

/// LLaMA's MLP is gated: `down(act(gate(x)) * up(x))`.
static constexpr ActivationName kLlamaActivations[] = {
    {"silu", FfnKind::SwiGlu},
    {"swish", FfnKind::SwiGlu},
    {"gelu", FfnKind::GeGlu},
    {"gelu_new", FfnKind::GeGluTanh},
    {"gelu_pytorch_tanh", FfnKind::GeGluTanh}};

/// Keys of every config (PretrainedConfig and generation settings) that do
/// not change what inference computes.
static constexpr StringLiteral kIgnoredCommonKeys[] = {
    "_name_or_path", "architectures",
    // Where remote code would find the config and model classes.
    "auto_map", "transformers_version", "bos_token_id", "eos_token_id",
    "pad_token_id", "sep_token_id", "decoder_start_token_id", "use_cache",
    "initializer_range", "return_dict", "output_hidden_states",
    "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss",
    "id2label", "label2id", "num_labels", "problem_type", "finetuning_task",
    "task_specific_params", "tokenizer_class", "prefix",
    "gradient_checkpointing", "chunk_size_feed_forward", "max_length",
    "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups",
    "diversity_penalty", "temperature", "top_k", "top_p", "typical_p",
    "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences",
    "output_scores", "return_dict_in_generate", "forced_bos_token_id",
    "forced_eos_token_id", "remove_invalid_values",
    "exponential_decay_length_penalty", "suppress_tokens",
    "begin_suppress_tokens"};

/// The model types Kiln imports and their families.
static constexpr std::pair<StringLiteral, ModelFamily> kModelTypes[] = {
    {"bert", ModelFamily::Bert},
    {"camembert", ModelFamily::Bert},
    {"cohere", ModelFamily::Llama},
    {"distilbert", ModelFamily::DistilBert},
    {"falcon", ModelFamily::Falcon},
    {"gemma", ModelFamily::Llama},
    {"gpt2", ModelFamily::Gpt2},
    {"gpt_bigcode", ModelFamily::GptBigCode},
    {"gpt_neox", ModelFamily::GptNeox},
    {"gptj", ModelFamily::Gptj},
    {"granite", ModelFamily::Llama},
    {"llama", ModelFamily::Llama},
    {"mistral", ModelFamily::Llama},
    {"opt", ModelFamily::Opt},
    {"phi", ModelFamily::Phi},
    {"phi3", ModelFamily::Phi3},
    {"qwen2", ModelFamily::Llama},
    {"qwen3", ModelFamily::Llama},
    {"roberta", ModelFamily::Bert},
    {"stablelm", ModelFamily::Llama},
    {"starcoder2", ModelFamily::Starcoder2},
    {"xlm-roberta", ModelFamily::Bert}};

/// Whether `modelType` is RoBERTa's architecture, which numbers positions
/// its own way (CamemBERT and XLM-R are RoBERTa models).
static bool isRoberta(StringRef modelType) {
  return modelType == "roberta" || modelType == "xlm-roberta" ||
         modelType == "camembert";
}

//===----------------------------------------------------------------------===//
// HFImporter
//===----------------------------------------------------------------------===//

namespace {

/// Imports one config.json.
class HFImporter {
public:
  HFImporter(unsigned bufferId, SpecDiagnostics &diagnostics)
      : diagnostics(diagnostics), bufferId(bufferId),
        text(withoutByteOrderMark(diagnostics.getSourceMgr()
                                      .getMemoryBuffer(bufferId)
                                      ->getBuffer())) {}

  /// Imports, completes and validates the config; std::nullopt after
  /// errors.
  std::optional<ModelSpec> import();

private:
  //===--------------------------------------------------------------------===//
  // Locations and diagnostics
  //===--------------------------------------------------------------------===//

  /// The position of byte `offset` of the config.
  SMLoc locAt(size_t offset) const {
    return SMLoc::getFromPointer(text.data() + std::min(offset, text.size()));
  }

  /// Where key `key` is written, or the start of the object.
  SMLoc keyLoc(StringRef key) const {
    for (const KeyOffset &entry : keys)
      if (entry.key == key)
        return locAt(entry.offset);
    return rootLoc;
  }

  /// Reports an error at `loc` and marks the import as failed.
  void error(SMLoc loc, const Twine &message) {
    diagnostics.error(loc, message);
    failed = true;
  }

  /// Reports an error at key `key`.
  void error(StringRef key, const Twine &message) {
    error(keyLoc(key), message);
  }

  /// Reports that the value of `key` is not `expected`.
  void typeError(StringRef key, const json::Value &value, StringRef expected) {
    error(key, "expected " + expected + " for '" + key + "', got " +
                   describe(value));
  }

  /// Records that `key` set the ModelSpec field `path`.
  void record(StringRef key, StringRef path) {
    spec.fieldLocs[path.str()] = diagnostics.toSourceLoc(keyLoc(key));
  }

  //===--------------------------------------------------------------------===//
  // Field rules
  //===--------------------------------------------------------------------===//

  /// A key whose value `get` (json::Value::getAsInteger, ...) reads into
  /// `field`; `expected` names the JSON type for diagnostics.
  template <typename T, typename Result>
  HFField mapped(StringLiteral key, StringLiteral path, T &field,
                 std::optional<Result> (json::Value::*get)() const,
                 StringLiteral expected, bool required) {
    return {key, path,
            [this, key, path, &field, get, expected](const json::Value &value) {
              std::optional<Result> result = (value.*get)();
              if (!result)
                return typeError(key, value, expected);
              field = *result;
              record(key, path);
            },
            required};
  }

  /// An integer key for `field` (an int64_t or an optional one).
  template <typename T>
  HFField integer(StringLiteral key, StringLiteral path, T &field,
                  bool required = false) {
    return mapped(key, path, field, &json::Value::getAsInteger, "an integer",
                  required);
  }

  /// A number key for `field` (a double or an optional one).
  template <typename T>
  HFField number(StringLiteral key, StringLiteral path, T &field) {
    return mapped(key, path, field, &json::Value::getAsNumber, "a number",
                  /*required=*/false);
  }

  /// A boolean key for `field`.
  HFField boolean(StringLiteral key, StringLiteral path, bool &field) {
    return mapped(key, path, field, &json::Value::getAsBoolean, "true or false",
                  /*required=*/false);
  }

  /// `hidden_act` / `activation_function`: one of `activations`.
  HFField activation(StringLiteral key, ArrayRef<ActivationName> activations) {
    return {key, "ffn.kind",
            [this, key, activations](const json::Value &value) {
              std::optional<StringRef> name = value.getAsString();
              if (!name)
                return typeError(key, value, "a string");
              SmallVector<StringRef> supported;
              for (const ActivationName &activation : activations) {
                if (*name == activation.name) {
                  spec.ffn = activation.ffn;
                  return record(key, "ffn.kind");
                }
                supported.push_back(activation.name);
              }
              error(key, "unsupported activation '" + *name + "' for '" + key +
                             "'; Kiln supports " + join(supported, ", "));
            }};
  }

  /// `torch_dtype` / `dtype`: the storage type of the weights.
  HFField dtype(StringLiteral key) {
    return {key, "model.weight_dtype", [this, key](const json::Value &value) {
              std::optional<StringRef> name = value.getAsString();
              if (!name)
                return typeError(key, value, "a string");
              std::optional<DType> type =
                  StringSwitch<std::optional<DType>>(*name)
                      .Case("float32", DType::F32)
                      .Case("float16", DType::F16)
                      .Case("bfloat16", DType::BF16)
                      .Default(std::nullopt);
              if (!type)
                return error(key, "unsupported weight type '" + *name +
                                      "' for '" + key +
                                      "'; Kiln supports float32, float16 "
                                      "and bfloat16");
              spec.weightDType = *type;
              record(key, "model.weight_dtype");
            }};
  }

  /// A key whose only supported value is `supported`; `reason` says what
  /// any other value would change.
  HFField onlyValue(StringLiteral key, json::Value supported,
                    StringLiteral reason) {
    return {key, "", [this, key, supported, reason](const json::Value &value) {
              if (value != supported)
                error(key, "unsupported '" + key + "': " + describe(value) +
                               " (Kiln supports only " + describe(supported) +
                               "): " + reason);
            }};
  }

  /// A key that Kiln only supports when it is null or absent.
  HFField onlyNull(StringLiteral key, StringLiteral reason) {
    return {key, "", [this, key, reason](const json::Value &) {
              error(key, "unsupported '" + key +
                             "' (Kiln supports only null): " + reason);
            }};
  }

  /// `layer_types`, which newer Qwen2 and Qwen3 configs write out: the
  /// attention of each layer, which must be `full_attention` for every one
  /// (Kiln applies one attention to all layers).
  HFField layerTypes() {
    constexpr StringLiteral key = "layer_types";
    return {key, "", [this, key](const json::Value &value) {
              const json::Array *types = value.getAsArray();
              if (!types)
                return typeError(key, value, "an array of strings");
              for (auto [layer, type] : enumerate(*types))
                if (type.getAsString() != "full_attention")
                  return error(key, "unsupported '" + key + "': layer " +
                                        Twine(layer) + " has " +
                                        describe(type) +
                                        " (Kiln supports only "
                                        "\"full_attention\" in every layer)");
            }};
  }

  /// `rope_scaling`: an object whose `rope_type` (`type` in older configs)
  /// is `default` (unscaled), `linear` or `llama3`, with exactly that
  /// kind's parameters. Other kinds (dynamic, yarn, longrope...) and
  /// unknown parameters are refused rather than ignored: they change the
  /// frequencies.
  HFField ropeScaling() {
    return {"rope_scaling", "positions.rope_scaling",
            [this](const json::Value &value) { readRopeScaling(value); }};
  }

  /// Reads the object of `rope_scaling` (see ropeScaling).
  void readRopeScaling(const json::Value &value) {
    constexpr StringLiteral key = "rope_scaling";
    const json::Object *object = value.getAsObject();
    if (!object)
      return typeError(key, value, "an object or null");
    const char *typeKey = object->get("rope_type") ? "rope_type" : "type";
    std::optional<StringRef> type = object->getString(typeKey);
    if (!type)
      return error(key, "expected a string 'rope_type' in '" + key +
                            "'; Kiln supports default, linear and llama3");
    PositionSpec &positions = spec.positions;
    SmallVector<StringRef> parameters = {"rope_type", "type"};
    if (*type == "linear") {
      positions.ropeScaling = RopeScaling::Linear;
      parameters.push_back("factor");
    } else if (*type == "llama3") {
      positions.ropeScaling = RopeScaling::Llama3;
      append_range(parameters,
                   ArrayRef<StringRef>{"factor", "low_freq_factor",
                                       "high_freq_factor",
                                       "original_max_position_embeddings"});
    } else if (*type != "default") {
      return error(key, "unsupported rope_type '" + *type + "' in '" + key +
                            "'; Kiln supports default, linear and llama3");
    }
    for (const auto &[name, parameter] : *object)
      if (!is_contained(parameters, StringRef(name)))
        return error(key, "unsupported parameter '" + StringRef(name) +
                              "' in '" + key + "' for rope_type '" + *type +
                              "'");
    if (!positions.ropeScaling)
      return;
    record(key, "positions.rope_scaling");

    // Each parameter: its spec field, as the validation names it.
    auto read = [&](StringLiteral name, StringLiteral path, auto &field) {
      spellings[path.str()] = (key + "." + name).str();
      const json::Value *parameter = object->get(name);
      if (!parameter)
        return;
      using Field = std::decay_t<decltype(field)>;
      std::optional<Field> number;
      if constexpr (std::is_same_v<Field, double>)
        number = parameter->getAsNumber();
      else
        number = parameter->getAsInteger();
      if (!number)
        return error(key,
                     "expected " +
                         Twine(std::is_same_v<Field, double> ? "a number"
                                                             : "an integer") +
                         " for '" + key + "." + name + "', got " +
                         describe(*parameter));
      field = *number;
      record(key, path);
    };
    read("factor", "positions.rope_scaling_factor",
         positions.ropeScalingFactor);
    if (*positions.ropeScaling != RopeScaling::Llama3)
      return;
    read("low_freq_factor", "positions.rope_low_freq_factor",
         positions.ropeLowFreqFactor);
    read("high_freq_factor", "positions.rope_high_freq_factor",
         positions.ropeHighFreqFactor);
    read("original_max_position_embeddings",
         "positions.rope_original_max_positions",
         positions.ropeOriginalMaxPositions);
  }

  /// A key that is accepted and has no effect on inference.
  static HFField ignored(StringLiteral key) { return {key, "", nullptr}; }

  /// `fields` but those of the keys `removed`, for config classes that
  /// derive from another.
  static std::vector<HFField>
  without(std::vector<HFField> fields,
          std::initializer_list<StringRef> removed) {
    erase_if(fields, [&](const HFField &field) {
      return is_contained(removed, field.key);
    });
    return fields;
  }

  /// Keys every model type shares.
  std::vector<HFField> commonFields() {
    std::vector<HFField> fields = {
        ignored("model_type"),
        dtype("torch_dtype"),
        dtype("dtype"),
        onlyValue("is_encoder_decoder", false,
                  "Kiln imports encoder-only and decoder-only models"),
        onlyValue("add_cross_attention", false,
                  "it adds cross-attention layers to the model"),
        onlyValue("tie_encoder_decoder", false,
                  "it only applies to encoder-decoder models"),
        onlyValue("pruned_heads", json::Object(),
                  "pruned heads give layers different head counts"),
        onlyNull("cross_attention_hidden_size",
                 "it only applies to cross-attention layers"),
    };
    for (StringLiteral key : kIgnoredCommonKeys)
      fields.push_back(ignored(key));
    return fields;
  }

  /// Keys of GPT2Config.
  std::vector<HFField> gpt2Fields() {
    return {
        integer("vocab_size", "model.vocab_size", spec.vocabSize,
                /*required=*/true),
        integer("n_embd", "model.d_model", spec.dModel, /*required=*/true),
        integer("n_layer", "decoder.layers", spec.decoder.numLayers,
                /*required=*/true),
        integer("n_head", "attention.heads", spec.numHeads, /*required=*/true),
        integer("n_positions", "model.max_seq_len", spec.maxSeqLen,
                /*required=*/true),
        integer("n_inner", "ffn.dim", spec.ffnDim),
        activation("activation_function", kGpt2Activations),
        number("layer_norm_epsilon", "norm.epsilon", spec.normEpsilon),
        boolean("tie_word_embeddings", "embeddings.tied", spec.tieEmbeddings),
        onlyValue("scale_attn_weights", true,
                  "attention scores would not be scaled by 1/sqrt(head_dim)"),
        onlyValue("scale_attn_by_inverse_layer_idx", false,
                  "it scales attention scores by 1/(layer + 1)"),
        onlyValue("reorder_and_upcast_attn", false,
                  "it changes the precision of attention"),
        // `n_ctx` is an old alias of n_positions that transformers ignores.
        ignored("n_ctx"),
        ignored("is_decoder"),
        ignored("resid_pdrop"),
        ignored("embd_pdrop"),
        ignored("attn_pdrop"),
        // The `summary_*` keys configure GPT2DoubleHeadsModel's extra head.
        ignored("summary_type"),
        ignored("summary_use_proj"),
        ignored("summary_activation"),
        ignored("summary_proj_to_labels"),
        ignored("summary_first_dropout"),
    };
  }

  /// Keys of GPTBigCodeConfig (SantaCoder, StarCoder): GPT-2's, with
  /// `multi_query` (one key/value head; without it, each head's query, key
  /// and value are fused together) and `scale_attn_weights` (false leaves
  /// the scores unscaled). The softmax precision keys change nothing in f32.
  std::vector<HFField> gptBigCodeFields() {
    std::vector<HFField> fields =
        without(gpt2Fields(), {"scale_attn_weights", "reorder_and_upcast_attn",
                               "scale_attn_by_inverse_layer_idx"});
    append_range(
        fields,
        std::vector<HFField>{
            {"multi_query", "attention.kv_heads",
             [this](const json::Value &value) {
               std::optional<bool> multiQuery = value.getAsBoolean();
               if (!multiQuery)
                 return typeError("multi_query", value, "true or false");
               setMultiQuery(*multiQuery, "multi_query");
             }},
            {"scale_attn_weights", "attention.scale",
             [this](const json::Value &value) {
               std::optional<bool> scaled = value.getAsBoolean();
               if (!scaled)
                 return typeError("scale_attn_weights", value, "true or false");
               if (*scaled)
                 return;
               spec.attentionScale = 1.0;
               record("scale_attn_weights", "attention.scale");
             }},
            ignored("attention_softmax_in_fp32"),
            ignored("scale_attention_softmax_in_fp32"),
        });
    return fields;
  }

  /// GPT-BigCode's and Falcon's attention: one key/value head after every
  /// head's query (`multiQuery`), or each head's query, key and value
  /// together.
  void setMultiQuery(bool multiQuery, StringRef key) {
    if (multiQuery) {
      spec.numKvHeads = 1;
      record(key, "attention.kv_heads");
    } else {
      spec.qkvLayout = QkvLayout::PerHead;
      record(key, "attention.qkv_layout");
    }
  }

  /// Keys of FalconConfig (Falcon-7B, Falcon-RW): the sizes, under their
  /// names or the older ones (`n_layer`, `n_head`, `n_head_kv`, checked by
  /// applyFalconDefaults), `multi_query` (one key/value head),
  /// `parallel_attn` (parallel layers sharing one norm; false: sequential
  /// pre-norm layers), `bias` (of the projections; the norms always have
  /// theirs) and RoPE's keys. ALiBi and the grouped QKV layout of
  /// `new_decoder_architecture` (Falcon-40B and later) are refused.
  std::vector<HFField> falconFields() {
    return {
        integer("vocab_size", "model.vocab_size", spec.vocabSize,
                /*required=*/true),
        integer("hidden_size", "model.d_model", spec.dModel, /*required=*/true),
        integer("num_hidden_layers", "decoder.layers", spec.decoder.numLayers),
        integer("n_layer", "decoder.layers", spec.decoder.numLayers),
        integer("num_attention_heads", "attention.heads", spec.numHeads),
        integer("n_head", "attention.heads", spec.numHeads),
        integer("num_kv_heads", "attention.kv_heads", spec.numKvHeads),
        integer("n_head_kv", "attention.kv_heads", spec.numKvHeads),
        integer("max_position_embeddings", "model.max_seq_len", spec.maxSeqLen),
        integer("ffn_hidden_size", "ffn.dim", spec.ffnDim),
        activation("activation", kGpt2Activations),
        number("layer_norm_epsilon", "norm.epsilon", spec.normEpsilon),
        number("rope_theta", "positions.theta", spec.positions.theta),
        ropeScaling(),
        // Applied by applyFalconDefaults, after num_kv_heads.
        {"multi_query", "attention.kv_heads",
         [this](const json::Value &value) {
           if (!value.getAsBoolean())
             typeError("multi_query", value, "true or false");
         }},
        {"parallel_attn", "norm.placement",
         [this](const json::Value &value) {
           std::optional<bool> parallel = value.getAsBoolean();
           if (!parallel)
             return typeError("parallel_attn", value, "true or false");
           if (*parallel)
             return;
           spec.normPlacement = NormPlacement::Pre;
           record("parallel_attn", "norm.placement");
         }},
        projectionBiases("bias"),
        boolean("tie_word_embeddings", "embeddings.tied", spec.tieEmbeddings),
        onlyValue("alibi", false, "ALiBi positions are not implemented"),
        onlyValue("new_decoder_architecture", false,
                  "its fused QKV projection groups the queries of each "
                  "key/value head with it, a layout Kiln does not read"),
        onlyValue("apply_residual_connection_post_layernorm", false,
                  "its residual connections start after the norms"),
        // Only read with new_decoder_architecture.
        ignored("num_ln_in_parallel_attn"),
        ignored("hidden_dropout"),
        ignored("attention_dropout"),
    };
  }

  /// Keys of GPTJConfig: GPT-2's without those that only GPT-2's attention
  /// reads, and the features of each head that RoPE rotates. GPT-J always
  /// rotates and scales; older configs still say so.
  std::vector<HFField> gptjFields() {
    std::vector<HFField> fields = without(
        gpt2Fields(), {"scale_attn_weights", "scale_attn_by_inverse_layer_idx",
                       "reorder_and_upcast_attn"});
    append_range(fields, std::vector<HFField>{
                             integer("rotary_dim", "positions.rotary_dim",
                                     spec.positions.rotaryDim),
                             ignored("rotary"), ignored("scale_attn_weights")});
    return fields;
  }

  /// Keys of BertConfig.
  std::vector<HFField> bertFields() {
    return {
        integer("vocab_size", "model.vocab_size", spec.vocabSize,
                /*required=*/true),
        integer("hidden_size", "model.d_model", spec.dModel, /*required=*/true),
        integer("num_hidden_layers", "encoder.layers", spec.encoder.numLayers,
                /*required=*/true),
        integer("num_attention_heads", "attention.heads", spec.numHeads,
                /*required=*/true),
        integer("intermediate_size", "ffn.dim", spec.ffnDim, /*required=*/true),
        integer("max_position_embeddings", "model.max_seq_len", spec.maxSeqLen,
                /*required=*/true),
        integer("type_vocab_size", "embeddings.token_types",
                spec.typeVocabSize),
        activation("hidden_act", kBertActivations),
        number("layer_norm_eps", "norm.epsilon", spec.normEpsilon),
        onlyValue("position_embedding_type", "absolute",
                  "relative position embeddings change attention"),
        onlyValue("is_decoder", false,
                  "it makes self-attention causal and adds a cache"),
        // BertModel has no output projection to tie.
        ignored("tie_word_embeddings"),
        ignored("hidden_dropout_prob"),
        ignored("attention_probs_dropout_prob"),
        ignored("classifier_dropout"),
    };
  }

  /// Keys of RobertaConfig (and XLMRobertaConfig): BERT's, except that
  /// positions count the tokens that are not padding from `pad_token_id` +
  /// 1 on, so that the table's `max_position_embeddings` rows hold
  /// `pad_token_id` + 1 fewer tokens.
  std::vector<HFField> robertaFields() {
    std::vector<HFField> fields = bertFields();
    erase_if(fields, [](const HFField &field) {
      return field.key == "max_position_embeddings";
    });
    append_range(fields,
                 std::vector<HFField>{
                     integer("max_position_embeddings", "positions.max",
                             spec.positions.maxPositions, /*required=*/true),
                     integer("pad_token_id", "positions.padding_idx",
                             spec.positions.paddingIdx)});
    return fields;
  }

  /// Keys of OPTConfig. `word_embed_proj_dim` is checked against
  /// `hidden_size` by applyModelTypeDefaults.
  std::vector<HFField> optFields() {
    return {
        integer("vocab_size", "model.vocab_size", spec.vocabSize,
                /*required=*/true),
        integer("hidden_size", "model.d_model", spec.dModel, /*required=*/true),
        integer("num_hidden_layers", "decoder.layers", spec.decoder.numLayers,
                /*required=*/true),
        integer("num_attention_heads", "attention.heads", spec.numHeads,
                /*required=*/true),
        integer("ffn_dim", "ffn.dim", spec.ffnDim, /*required=*/true),
        integer("max_position_embeddings", "model.max_seq_len", spec.maxSeqLen,
                /*required=*/true),
        activation("activation_function", kGpt2Activations),
        boolean("tie_word_embeddings", "embeddings.tied", spec.tieEmbeddings),
        onlyValue("do_layer_norm_before", true,
                  "post-norm OPT (opt-350m) also drops the final norm"),
        onlyValue("_remove_final_layer_norm", false,
                  "it drops the final norm of a pre-norm decoder"),
        onlyValue("enable_bias", true, "it removes the projections' biases"),
        onlyValue("layer_norm_elementwise_affine", true,
                  "it removes the norms' gains and biases"),
        ignored("word_embed_proj_dim"),
        ignored("dropout"),
        ignored("attention_dropout"),
        ignored("activation_dropout"),
        ignored("layerdrop"),
        ignored("init_std"),
    };
  }

  /// Keys of DistilBertConfig.
  std::vector<HFField> distilbertFields() {
    return {
        integer("vocab_size", "model.vocab_size", spec.vocabSize,
                /*required=*/true),
        integer("dim", "model.d_model", spec.dModel, /*required=*/true),
        integer("n_layers", "encoder.layers", spec.encoder.numLayers,
                /*required=*/true),
        integer("n_heads", "attention.heads", spec.numHeads,
                /*required=*/true),
        integer("hidden_dim", "ffn.dim", spec.ffnDim, /*required=*/true),
        integer("max_position_embeddings", "model.max_seq_len", spec.maxSeqLen,
                /*required=*/true),
        activation("activation", kBertActivations),
        // Sinusoidal positions are written into the position table, which
        // the checkpoint holds either way.
        ignored("sinusoidal_pos_embds"),
        // DistilBertModel has no output projection to tie.
        ignored("tie_weights_"),
        ignored("tie_word_embeddings"),
        ignored("dropout"),
        ignored("attention_dropout"),
        ignored("qa_dropout"),
        ignored("seq_classif_dropout"),
    };
  }

  /// The sizes that LlamaConfig, GPTNeoXConfig and PhiConfig name alike,
  /// all required.
  std::vector<HFField> decoderSizeFields() {
    return {
        integer("vocab_size", "model.vocab_size", spec.vocabSize,
                /*required=*/true),
        integer("hidden_size", "model.d_model", spec.dModel, /*required=*/true),
        integer("intermediate_size", "ffn.dim", spec.ffnDim, /*required=*/true),
        integer("num_hidden_layers", "decoder.layers", spec.decoder.numLayers,
                /*required=*/true),
        integer("num_attention_heads", "attention.heads", spec.numHeads,
                /*required=*/true),
        integer("max_position_embeddings", "model.max_seq_len", spec.maxSeqLen,
                /*required=*/true),
    };
  }

  /// The keys that LlamaConfig, PhiConfig and Starcoder2Config name alike:
  /// the sizes, the key/value heads, RoPE's base and scaling, tied
  /// embeddings and the attention dropout.
  std::vector<HFField> ropeDecoderFields() {
    std::vector<HFField> fields = decoderSizeFields();
    append_range(fields, std::vector<HFField>{
                             integer("num_key_value_heads",
                                     "attention.kv_heads", spec.numKvHeads),
                             number("rope_theta", "positions.theta",
                                    spec.positions.theta),
                             ropeScaling(),
                             boolean("tie_word_embeddings", "embeddings.tied",
                                     spec.tieEmbeddings),
                             ignored("attention_dropout"),
                         });
    return fields;
  }

  /// Keys of LlamaConfig.
  std::vector<HFField> llamaFields() {
    std::vector<HFField> fields = ropeDecoderFields();
    append_range(
        fields,
        std::vector<HFField>{
            integer("head_dim", "attention.head_dim", spec.headDim),
            activation("hidden_act", kLlamaActivations),
            number("rms_norm_eps", "norm.epsilon", spec.normEpsilon),
            boolean("attention_bias", "attention.bias", spec.attentionBias),
            boolean("mlp_bias", "ffn.bias", spec.mlpBias),
            integer("sliding_window", "attention.sliding_window",
                    spec.decoder.selfAttention.slidingWindow),
            // Tensor-parallel slicing of the projections; the result is the
            // same.
            ignored("pretraining_tp"),
            ignored("is_decoder"),
        });
    return fields;
  }

  /// Keys of Qwen2Config: LLaMA's without its bias switches (Q, K and V
  /// always have biases, the output projection none), and with a window
  /// that Qwen2 applies only to the layers from `max_window_layers` on.
  std::vector<HFField> qwen2Fields() {
    std::vector<HFField> fields =
        without(llamaFields(), {"attention_bias", "mlp_bias", "sliding_window",
                                "pretraining_tp"});
    append_range(
        fields,
        std::vector<HFField>{
            onlyValue("use_sliding_window", false,
                      "Qwen2 windows only the layers from max_window_layers "
                      "on, Kiln every layer or none"),
            // Both only apply with use_sliding_window.
            ignored("sliding_window"), ignored("max_window_layers"),
            layerTypes()});
    return fields;
  }

  /// Keys of Qwen3Config: Qwen2's, with LLaMA's `attention_bias` (for Q, K,
  /// V and the output projection alike).
  std::vector<HFField> qwen3Fields() {
    std::vector<HFField> fields = qwen2Fields();
    fields.push_back(
        boolean("attention_bias", "attention.bias", spec.attentionBias));
    return fields;
  }

  /// A boolean `key` switching the biases of the attention and MLP
  /// projections together (StarCoder2's `use_bias`, Falcon's `bias`).
  HFField projectionBiases(StringLiteral key) {
    return {key, "attention.bias", [this, key](const json::Value &value) {
              std::optional<bool> biases = value.getAsBoolean();
              if (!biases)
                return typeError(key, value, "true or false");
              spec.attentionBias = spec.mlpBias = *biases;
              record(key, "attention.bias");
              record(key, "ffn.bias");
            }};
  }

  /// `use_parallel_residual`: parallel rather than sequential pre-norm
  /// layers (GPT-NeoX, StableLM).
  HFField parallelResidual() {
    return {"use_parallel_residual", "norm.placement",
            [this](const json::Value &value) {
              std::optional<bool> parallel = value.getAsBoolean();
              if (!parallel)
                return typeError("use_parallel_residual", value,
                                 "true or false");
              spec.normPlacement =
                  *parallel ? NormPlacement::Parallel : NormPlacement::Pre;
              record("use_parallel_residual", "norm.placement");
            }};
  }

  /// Keys of GPTNeoXConfig (GPT-NeoX, Pythia). `rotary_pct` is the share
  /// of each head that RoPE rotates; `use_parallel_residual` chooses
  /// between parallel and sequential pre-norm layers.
  std::vector<HFField> gptNeoxFields() {
    std::vector<HFField> fields = decoderSizeFields();
    append_range(
        fields,
        std::vector<HFField>{
            activation("hidden_act", kGpt2Activations),
            number("layer_norm_eps", "norm.epsilon", spec.normEpsilon),
            number("rotary_emb_base", "positions.theta", spec.positions.theta),
            number("rotary_pct", "positions.rotary_dim", rotaryFraction),
            parallelResidual(),
            ropeScaling(),
            boolean("attention_bias", "attention.bias", spec.attentionBias),
            boolean("tie_word_embeddings", "embeddings.tied",
                    spec.tieEmbeddings),
            ignored("attention_dropout"),
            ignored("hidden_dropout"),
            ignored("classifier_dropout"),
            ignored("is_decoder"),
        });
    return fields;
  }

  /// Keys of CohereConfig (Command R, Aya 23): LLaMA's without `head_dim`,
  /// `mlp_bias`, the window and `pretraining_tp`, with layer norms
  /// (`layer_norm_eps`), the multiplier of the logits (`logit_scale`), and
  /// `use_qk_norm`, which must be false.
  std::vector<HFField> cohereFields() {
    std::vector<HFField> fields =
        without(llamaFields(), {"head_dim", "mlp_bias", "sliding_window",
                                "pretraining_tp", "rms_norm_eps"});
    append_range(
        fields,
        std::vector<HFField>{
            number("layer_norm_eps", "norm.epsilon", spec.normEpsilon),
            number("logit_scale", "output.logits_scale", spec.logitsScale),
            onlyValue("use_qk_norm", false,
                      "it normalises the queries and keys of each "
                      "head with that head's own scales"),
        });
    return fields;
  }

  /// Keys of GraniteConfig (IBM Granite 3): LLaMA's without `head_dim`,
  /// the window and `pretraining_tp`, with four multipliers: of the
  /// embeddings, of the attention scores (in place of 1 / sqrt(head_dim)),
  /// of each layer's attention and MLP outputs before they join the
  /// residual stream, and the divisor of the logits.
  std::vector<HFField> graniteFields() {
    std::vector<HFField> fields = without(
        llamaFields(), {"head_dim", "sliding_window", "pretraining_tp"});
    append_range(fields,
                 std::vector<HFField>{
                     number("embedding_multiplier", "embeddings.scale",
                            spec.embeddingScale),
                     number("attention_multiplier", "attention.scale",
                            spec.attentionScale),
                     number("residual_multiplier", "model.residual_scale",
                            spec.residualScale),
                     {"logits_scaling", "output.logits_scale",
                      [this](const json::Value &value) {
                        std::optional<double> divisor = value.getAsNumber();
                        if (!divisor)
                          return typeError("logits_scaling", value, "a number");
                        if (!(std::isfinite(*divisor) && *divisor > 0))
                          return error(
                              "logits_scaling",
                              "'logits_scaling' must be a positive finite "
                              "number, got " +
                                  formatNumber(*divisor));
                        spec.logitsScale = 1.0 / *divisor;
                        record("logits_scaling", "output.logits_scale");
                      }},
                 });
    return fields;
  }

  /// Keys of StableLmConfig (StableLM 2, StableLM-3B-4E1T): LLaMA's sizes
  /// and RoPE keys, with layer norms, biases on Q, K and V alone where
  /// `use_qkv_bias`, RoPE on `partial_rotary_factor` of each head, and the
  /// parallel layers of `use_parallel_residual`, whose MLP reads the
  /// attention's norm.
  std::vector<HFField> stablelmFields() {
    std::vector<HFField> fields = ropeDecoderFields();
    append_range(
        fields,
        std::vector<HFField>{
            activation("hidden_act", kLlamaActivations),
            number("layer_norm_eps", "norm.epsilon", spec.normEpsilon),
            boolean("use_qkv_bias", "attention.bias", spec.attentionBias),
            number("partial_rotary_factor", "positions.rotary_dim",
                   rotaryFraction),
            parallelResidual(),
            onlyValue("qk_layernorm", false,
                      "it normalises the queries and keys of each head "
                      "with that head's own scales"),
            ignored("hidden_dropout"),
        });
    return fields;
  }

  /// Keys of PhiConfig (Phi-1, Phi-1.5, Phi-2). `partial_rotary_factor` is
  /// the share of each head that RoPE rotates.
  std::vector<HFField> phiFields() {
    std::vector<HFField> fields = ropeDecoderFields();
    append_range(fields,
                 std::vector<HFField>{
                     activation("hidden_act", kGpt2Activations),
                     number("layer_norm_eps", "norm.epsilon", spec.normEpsilon),
                     number("partial_rotary_factor", "positions.rotary_dim",
                            rotaryFraction),
                     onlyValue("qk_layernorm", false,
                               "it normalises queries and keys per head"),
                     ignored("resid_pdrop"),
                     ignored("embd_pdrop"),
                 });
    return fields;
  }

  /// Keys of Phi3Config (Phi-3 mini and medium, Phi-3.5 mini, Phi-4
  /// mini): PhiConfig's, with LLaMA's RMS norm and gated activations, and
  /// a window. `original_max_position_embeddings` only matters to the
  /// long-context scalings, which `rope_scaling` refuses.
  std::vector<HFField> phi3Fields() {
    std::vector<HFField> fields =
        without(phiFields(), {"hidden_act", "layer_norm_eps", "qk_layernorm"});
    append_range(fields,
                 std::vector<HFField>{
                     activation("hidden_act", kLlamaActivations),
                     number("rms_norm_eps", "norm.epsilon", spec.normEpsilon),
                     integer("sliding_window", "attention.sliding_window",
                             spec.decoder.selfAttention.slidingWindow),
                     ignored("original_max_position_embeddings"),
                     // Phi3Attention has no biases, whatever the config says.
                     ignored("attention_bias"),
                 });
    return fields;
  }

  /// Keys of Starcoder2Config. `use_bias` switches the biases of the
  /// attention and MLP projections; the layer norms always have theirs.
  /// `mlp_type` and `norm_type`, which the released configs carry from
  /// training and transformers ignores, must name what it implements.
  std::vector<HFField> starcoder2Fields() {
    std::vector<HFField> fields = ropeDecoderFields();
    append_range(
        fields,
        std::vector<HFField>{
            activation("hidden_act", kGpt2Activations),
            number("norm_epsilon", "norm.epsilon", spec.normEpsilon),
            integer("sliding_window", "attention.sliding_window",
                    spec.decoder.selfAttention.slidingWindow),
            projectionBiases("use_bias"),
            onlyValue("mlp_type", "default", "StarCoder2's MLP is plain"),
            onlyValue("norm_type", "layer_norm",
                      "StarCoder2's norms are layer norms"),
            ignored("residual_dropout"),
            ignored("embedding_dropout"),
        });
    return fields;
  }

  /// Keys of GemmaConfig: LLaMA's without its MLP bias switch and window.
  /// GemmaMLP reads its activation from `hidden_activation` and ignores
  /// `hidden_act`.
  std::vector<HFField> gemmaFields() {
    std::vector<HFField> fields =
        without(llamaFields(),
                {"hidden_act", "mlp_bias", "sliding_window", "pretraining_tp"});
    append_range(fields, std::vector<HFField>{
                             activation("hidden_activation", kLlamaActivations),
                             ignored("hidden_act")});
    return fields;
  }

  /// The fields of model type `modelType` of `family`, then the common
  /// ones.
  std::vector<HFField> getFields(ModelFamily family, StringRef modelType) {
    std::vector<HFField> fields;
    switch (family) {
    case ModelFamily::Gpt2:
      fields = gpt2Fields();
      break;
    case ModelFamily::Bert:
      fields = isRoberta(modelType) ? robertaFields() : bertFields();
      break;
    case ModelFamily::DistilBert:
      fields = distilbertFields();
      break;
    case ModelFamily::Opt:
      fields = optFields();
      break;
    case ModelFamily::GptNeox:
      fields = gptNeoxFields();
      break;
    case ModelFamily::Phi:
      fields = phiFields();
      break;
    case ModelFamily::Gptj:
      fields = gptjFields();
      break;
    case ModelFamily::Phi3:
      fields = phi3Fields();
      break;
    case ModelFamily::Starcoder2:
      fields = starcoder2Fields();
      break;
    case ModelFamily::GptBigCode:
      fields = gptBigCodeFields();
      break;
    case ModelFamily::Falcon:
      fields = falconFields();
      break;
    case ModelFamily::Llama:
      fields = modelType == "qwen2"      ? qwen2Fields()
               : modelType == "qwen3"    ? qwen3Fields()
               : modelType == "gemma"    ? gemmaFields()
               : modelType == "stablelm" ? stablelmFields()
               : modelType == "granite"  ? graniteFields()
               : modelType == "cohere"   ? cohereFields()
                                         : llamaFields();
      break;
    case ModelFamily::Transformer:
      llvm_unreachable("no Hugging Face model type maps to this family");
    }
    append_range(fields, commonFields());
    return fields;
  }

  //===--------------------------------------------------------------------===//
  // Steps
  //===--------------------------------------------------------------------===//

  /// Parses the text into `config` and finds the keys.
  bool parseJson();
  /// The family of `model_type`.
  std::optional<ModelFamily> readModelType();
  /// The defaults of `modelType`'s config class where they differ from
  /// LlamaConfig's, for absent keys; errors about them point at
  /// `model_type`. MistralConfig: 8 key/value heads and a window of 4096
  /// tokens (a null `sliding_window` means none). Starcoder2Config: 2
  /// key/value heads. Qwen2Config: 32 key/value
  /// heads, and biases on Q, K and V but not on the output projection.
  /// Qwen3: 32 key/value heads, heads of 128 features, and always a norm
  /// on each head of the queries and keys. Gemma: heads of 256 features,
  /// GeGLU with tanh-approximated GELU, tied embeddings; always embeddings
  /// scaled by sqrt(hidden_size) and RMS norm scales stored as offsets
  /// from 1. StableLM: 32 key/value heads, see applyStablelmDefaults.
  /// Granite: attention scores multiplied by 1 rather than
  /// 1 / sqrt(head_dim).
  void applyModelTypeDefaults(StringRef modelType);
  /// The Gemma part of applyModelTypeDefaults.
  void applyGemmaDefaults(const json::Object &object);
  /// The Falcon part of applyModelTypeDefaults: the layer and head counts
  /// under one of their names, one key/value head with `multi_query`
  /// (default true) and per-head fused QKV without, 2048 positions and an
  /// MLP 4 times `hidden_size` wide unless given.
  void applyFalconDefaults(const json::Object &object);
  /// The Cohere part of applyModelTypeDefaults: parallel layers whose
  /// attention and MLP share one layer norm without bias (epsilon 1e-5),
  /// RoPE on interleaved pairs, logits multiplied by 0.0625 and tied
  /// embeddings unless given.
  void applyCohereDefaults(const json::Object &object);
  /// The StableLM part of applyModelTypeDefaults: layer norms with biases
  /// (epsilon 1e-5), no bias on the output projection, a quarter of each
  /// head rotated, and an MLP reading the attention's norm in parallel
  /// layers.
  void applyStablelmDefaults(const json::Object &object);
  /// Sets `field` to `value`, a default of the model type, if the config
  /// has no key `key` (for the spec field `path`).
  template <typename T, typename U>
  void fillAbsent(const json::Object &object, StringRef key, StringRef path,
                  T &field, U value) {
    if (object.get(key))
      return;
    field = value;
    record("model_type", path);
  }
  /// GPT-NeoX, Phi and Phi-3: the rotated features of each head from the share
  /// that `key` gives (`defaultFraction` without it), which must be an even
  /// number of them.
  void applyRotaryFraction(StringRef key, double defaultFraction);
  /// Reads every key with `fields` and checks the required ones are there.
  void readFields(ArrayRef<HFField> fields, StringRef modelType);

  SpecDiagnostics &diagnostics;
  unsigned bufferId;
  /// The config, without a byte order mark.
  StringRef text;
  SMLoc rootLoc;
  json::Value config = nullptr;
  std::vector<KeyOffset> keys;
  ModelSpec spec;
  FieldSpellings spellings;
  /// GPT-NeoX's `rotary_pct` or the `partial_rotary_factor` of Phi and
  /// Phi-3: the share of each head that RoPE rotates.
  std::optional<double> rotaryFraction;
  bool failed = false;
};

} // namespace

bool HFImporter::parseJson() {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == StringRef::npos) {
    diagnostics.error(locAt(0), "the config is empty; expected a JSON object "
                                "with 'model_type'");
    return false;
  }
  rootLoc = locAt(start);

  if (std::optional<size_t> offset = findExcessiveNesting(text)) {
    diagnostics.error(locAt(*offset), "a config nests at most " +
                                          Twine(kMaxNesting) + " levels deep");
    return false;
  }
  if (std::optional<size_t> offset = findExcessiveBrackets(text)) {
    diagnostics.error(locAt(*offset), "a config holds at most " +
                                          Twine(kMaxBrackets) +
                                          " '{' and '[' characters");
    return false;
  }
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed) {
    // json::ParseError prints "[line:col, byte=offset]: message".
    std::string message = toString(parsed.takeError());
    static const Regex format("^\\[[0-9]+:[0-9]+, byte=([0-9]+)\\]: (.*)$");
    SmallVector<StringRef, 3> groups;
    size_t offset = 0;
    if (format.match(message, &groups) && !groups[1].getAsInteger(10, offset))
      message = groups[2].str();
    // The parser reports the position after the character it has just read,
    // which is the one at fault, except for text after the document, which
    // it reports before reading it.
    if (offset > 0 && message != "Text after end of document")
      --offset;
    diagnostics.error(locAt(offset), message);
    return false;
  }
  config = std::move(*parsed);
  if (!config.getAsObject()) {
    diagnostics.error(rootLoc, "a Hugging Face config must be a JSON object, "
                               "got " +
                                   describe(config));
    return false;
  }

  keys = findTopLevelKeys(text);
  StringMap<size_t> firstOffsets;
  for (const KeyOffset &entry : keys) {
    auto [first, inserted] = firstOffsets.try_emplace(entry.key, entry.offset);
    if (!inserted) {
      diagnostics.error(locAt(entry.offset),
                        "duplicate key '" + entry.key + "'");
      diagnostics.note(locAt(first->second),
                       "'" + entry.key + "' first given here");
      return false;
    }
  }
  return true;
}

std::optional<ModelFamily> HFImporter::readModelType() {
  const json::Value *modelType = config.getAsObject()->get("model_type");
  SmallVector<StringRef> supported;
  for (const auto &[name, family] : kModelTypes)
    supported.push_back(name);
  std::string expected = "Kiln supports " + join(supported, ", ");
  if (!modelType) {
    diagnostics.error(rootLoc,
                      "missing required field 'model_type'; " + expected);
    return std::nullopt;
  }
  std::optional<StringRef> name = modelType->getAsString();
  if (!name) {
    typeError("model_type", *modelType, "a string");
    return std::nullopt;
  }
  for (const auto &[typeName, family] : kModelTypes) {
    if (*name == typeName) {
      record("model_type", "model.family");
      spellings["model.family"] = "model_type";
      return family;
    }
  }
  error("model_type", "unsupported model_type '" + *name + "'; " + expected);
  return std::nullopt;
}

void HFImporter::readFields(ArrayRef<HFField> fields, StringRef modelType) {
  SmallVector<StringRef> knownKeys;
  for (const HFField &field : fields) {
    knownKeys.push_back(field.key);
    if (!field.specPath.empty())
      spellings[field.specPath] = field.key.str();
  }

  const json::Object &object = *config.getAsObject();
  for (const KeyOffset &entry : keys) {
    const HFField *field = find_if(
        fields, [&](const HFField &field) { return field.key == entry.key; });
    if (field == fields.end()) {
      std::string hint;
      if (std::optional<StringRef> match =
              findClosestMatch(entry.key, knownKeys))
        hint = ("; did you mean '" + *match + "'?").str();
      diagnostics.warning(locAt(entry.offset),
                          "unknown field '" + entry.key + "' for model_type '" +
                              modelType + "' is ignored" + hint);
      continue;
    }
    const json::Value &value = *object.get(entry.key);
    if (value.kind() == json::Value::Null) {
      if (field->required)
        error(entry.key, "'" + entry.key + "' must not be null");
      continue;
    }
    if (field->read)
      field->read(value);
  }

  for (const HFField &field : fields) {
    const json::Value *value = object.get(field.key);
    if (field.required && !value)
      error(rootLoc, "missing required field '" + field.key +
                         "' for model_type '" + modelType + "'");
  }
}

void HFImporter::applyGemmaDefaults(const json::Object &object) {
  fillAbsent(object, "head_dim", "attention.head_dim", spec.headDim, 256);
  fillAbsent(object, "hidden_activation", "ffn.kind", spec.ffn,
             FfnKind::GeGluTanh);
  fillAbsent(object, "tie_word_embeddings", "embeddings.tied",
             spec.tieEmbeddings, true);
  spec.embeddingScale = std::sqrt(static_cast<double>(spec.dModel));
  record("model_type", "embeddings.scale");
  spec.normGammaOffset = 1.0;
  record("model_type", "norm.gamma_offset");
}

void HFImporter::applyFalconDefaults(const json::Object &object) {
  for (auto [key, alias] :
       {std::pair<StringRef, StringRef>{"num_hidden_layers", "n_layer"},
        {"num_attention_heads", "n_head"},
        {"num_kv_heads", "n_head_kv"}}) {
    if (object.get(key) && object.get(alias))
      return error(alias, "'" + key + "' and its older name '" + alias +
                              "' are both given; keep one");
    if (key != "num_kv_heads" && !object.get(key) && !object.get(alias))
      return error(rootLoc, "missing required field '" + key + "' (or '" +
                                alias + "') for model_type 'falcon'");
  }
  // FalconAttention reads one key/value head after every head's query with
  // multi_query, whatever num_kv_heads says, and each head's query, key
  // and value together without.
  std::optional<bool> multiQuery = object.getBoolean("multi_query");
  setMultiQuery(multiQuery.value_or(true),
                multiQuery ? "multi_query" : "model_type");
  fillAbsent(object, "max_position_embeddings", "model.max_seq_len",
             spec.maxSeqLen, 2048);
  if (!object.get("ffn_hidden_size") && spec.dModel <= kMaxSpecSize) {
    spec.ffnDim = 4 * spec.dModel;
    record("model_type", "ffn.dim");
  }
}

void HFImporter::applyCohereDefaults(const json::Object &object) {
  spec.norm = NormKind::LayerNorm;
  record("model_type", "norm.kind");
  spec.normBias = false;
  record("model_type", "norm.bias");
  spec.normPlacement = NormPlacement::Parallel;
  record("model_type", "norm.placement");
  spec.parallelMlpNorm = false;
  record("model_type", "norm.parallel_mlp_norm");
  spec.positions.ropeStyle = RopeStyle::Interleaved;
  record("model_type", "positions.rope_style");
  fillAbsent(object, "layer_norm_eps", "norm.epsilon", spec.normEpsilon, 1e-5);
  fillAbsent(object, "logit_scale", "output.logits_scale", spec.logitsScale,
             0.0625);
  fillAbsent(object, "tie_word_embeddings", "embeddings.tied",
             spec.tieEmbeddings, true);
}

void HFImporter::applyStablelmDefaults(const json::Object &object) {
  spec.norm = NormKind::LayerNorm;
  record("model_type", "norm.kind");
  spec.normBias = true;
  record("model_type", "norm.bias");
  fillAbsent(object, "layer_norm_eps", "norm.epsilon", spec.normEpsilon, 1e-5);
  spec.attentionOutputBias = false;
  record("model_type", "attention.output_bias");
  if (spec.normPlacement == NormPlacement::Parallel) {
    spec.parallelMlpNorm = false;
    record("model_type", "norm.parallel_mlp_norm");
  }
  applyRotaryFraction("partial_rotary_factor", 0.25);
}

void HFImporter::applyRotaryFraction(StringRef key, double defaultFraction) {
  if (spec.numHeads <= 0)
    return;
  double fraction = rotaryFraction.value_or(defaultFraction);
  if (!(fraction > 0.0 && fraction <= 1.0))
    return error(key, "'" + key + "' must lie in (0, 1], got " +
                          formatNumber(fraction));
  // Both rotate int(head_dim * fraction) features.
  int64_t headDim = spec.dModel / spec.numHeads;
  int64_t rotated = static_cast<int64_t>(headDim * fraction);
  if (rotated < 2 || rotated % 2 != 0)
    return error(key, "'" + key + "' (" + formatNumber(fraction) +
                          ") rotates " + Twine(rotated) + " features of each " +
                          Twine(headDim) +
                          "-wide head; RoPE needs an even number, at least 2");
  spec.positions.rotaryDim = rotated;
  if (!rotaryFraction)
    record("model_type", "positions.rotary_dim");
}

void HFImporter::applyModelTypeDefaults(StringRef modelType) {
  const json::Object &object = *config.getAsObject();
  // OPT-350m projects its 512-wide embeddings to 1024 features and back.
  if (modelType == "opt")
    if (std::optional<int64_t> projected =
            object.getInteger("word_embed_proj_dim");
        projected && *projected != spec.dModel)
      error("word_embed_proj_dim",
            "'word_embed_proj_dim' (" + Twine(*projected) +
                ") must equal 'hidden_size' (" + Twine(spec.dModel) +
                "): Kiln does not project the embeddings in and out");
  if (isRoberta(modelType)) {
    // RobertaConfig's pad_token_id defaults to 1.
    PositionSpec &positions = spec.positions;
    if (!positions.paddingIdx) {
      positions.paddingIdx = 1;
      record("model_type", "positions.padding_idx");
    }
    // The validator reports a negative padding id.
    int64_t paddingIdx = *positions.paddingIdx;
    if (paddingIdx >= 0 && paddingIdx + 1 >= positions.maxPositions)
      error("max_position_embeddings",
            "'max_position_embeddings' (" + Twine(positions.maxPositions) +
                ") leaves no row for tokens, which RoBERTa numbers from "
                "'pad_token_id' + 1 (" +
                Twine(paddingIdx + 1) + ")");
    spec.maxSeqLen =
        positions.maxPositions - std::max<int64_t>(paddingIdx, 0) - 1;
    record("max_position_embeddings", "model.max_seq_len");
  }
  if (modelType == "mistral" || modelType == "qwen2" || modelType == "qwen3" ||
      modelType == "stablelm")
    fillAbsent(object, "num_key_value_heads", "attention.kv_heads",
               spec.numKvHeads, modelType == "mistral" ? 8 : 32);
  if (modelType == "starcoder2")
    fillAbsent(object, "num_key_value_heads", "attention.kv_heads",
               spec.numKvHeads, 2);
  if (modelType == "qwen3") {
    fillAbsent(object, "head_dim", "attention.head_dim", spec.headDim, 128);
    spec.qkNorm = QkNorm::PerHead;
    record("model_type", "attention.qk_norm");
  }
  if (modelType == "mistral" && !object.get("sliding_window")) {
    spec.decoder.selfAttention.slidingWindow = 4096;
    record("model_type", "attention.sliding_window");
  }
  if (modelType == "gemma")
    applyGemmaDefaults(object);
  // GPTNeoXConfig rotates a quarter of each head by default, PhiConfig
  // half.
  if (modelType == "gpt_neox")
    applyRotaryFraction("rotary_pct", 0.25);
  if (modelType == "phi")
    applyRotaryFraction("partial_rotary_factor", 0.5);
  // Phi3Config rotates whole heads unless told otherwise.
  if (modelType == "phi3" && rotaryFraction)
    applyRotaryFraction("partial_rotary_factor", 1.0);
  if (modelType == "stablelm")
    applyStablelmDefaults(object);
  if (modelType == "cohere")
    applyCohereDefaults(object);
  if (modelType == "falcon")
    applyFalconDefaults(object);
  // GPTBigCodeConfig's attention is multi-query unless told otherwise.
  if (modelType == "gpt_bigcode" && !object.get("multi_query"))
    setMultiQuery(true, "model_type");
  // GraniteConfig's attention_multiplier is 1 unless given.
  if (modelType == "granite")
    fillAbsent(object, "attention_multiplier", "attention.scale",
               spec.attentionScale, 1.0);
  if (modelType == "qwen2") {
    spec.attentionBias = true;
    spec.attentionOutputBias = false;
    record("model_type", "attention.bias");
    record("model_type", "attention.output_bias");
  }
}

std::optional<ModelSpec> HFImporter::import() {
  if (!parseJson())
    return std::nullopt;
  std::optional<ModelFamily> family = readModelType();
  if (!family)
    return std::nullopt;

  StringRef file = diagnostics.getSourceMgr()
                       .getMemoryBuffer(bufferId)
                       ->getBufferIdentifier();
  spec.loc = diagnostics.toSourceLoc(rootLoc);
  spec.loc.file = file.str();
  // A checkpoint directory is named after the model (`gpt2/config.json`).
  StringRef directory = sys::path::filename(sys::path::parent_path(file));
  bool named = !directory.empty() && directory != "." && directory != "..";
  spec.name = toModelName(named ? directory : getModelFamilyName(*family));

  StringRef modelType = *config.getAsObject()->getString("model_type");
  readFields(getFields(*family, modelType), modelType);
  if (failed)
    return std::nullopt;

  applyModelTypeDefaults(modelType);
  if (failed)
    return std::nullopt;
  // GPT-2's and GPT-J's MLPs are 4 * n_embd wide unless n_inner says
  // otherwise.
  bool isGpt2Like = *family == ModelFamily::Gpt2 ||
                    *family == ModelFamily::Gptj ||
                    *family == ModelFamily::GptBigCode;
  if (isGpt2Like && !spec.fieldLocs.count("ffn.dim") &&
      spec.dModel <= kMaxSpecSize)
    spec.ffnDim = 4 * spec.dModel;
  applyDefaults(*family, spec);
  if (!validateModelSpec(spec, diagnostics, spellings))
    return std::nullopt;
  return std::move(spec);
}

std::optional<ModelSpec> kiln::importHFConfig(unsigned bufferId,
                                              SpecDiagnostics &diagnostics) {
  return HFImporter(bufferId, diagnostics).import();
}
