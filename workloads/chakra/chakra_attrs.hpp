// Typed access to the `attr` lists of Chakra nodes and metadata (AttributeProto: a name and one
// value of many protobuf types). Producers differ in the integer type they pick (ASTRA-sim's
// microbenchmarks use int64_val for comm_size, others uint64_val), so every integer type is
// accepted; a value of another kind, or out of range, is an InputError naming its context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/repeated_field.h>

#include "workloads/chakra/et_def.pb.h"

namespace moesim::workload::chakra {

using Attrs = google::protobuf::RepeatedPtrField<ChakraProtoMsg::AttributeProto>;

// The attribute called `name`, or nullptr.
const ChakraProtoMsg::AttributeProto* find_attr(const Attrs& attrs, const std::string& name);

// An integer attribute in [min, max]; `where` names the file and node for errors.
std::optional<int64_t> int_attr(const Attrs& attrs, const std::string& name,
                                const std::string& where, int64_t min, int64_t max);
std::optional<std::string> string_attr(const Attrs& attrs, const std::string& name,
                                       const std::string& where);
// An int64_list / string_list attribute (moesim's tag table in the GlobalMetadata).
std::optional<std::vector<int64_t>> int_list_attr(const Attrs& attrs, const std::string& name,
                                                  const std::string& where);
std::optional<std::vector<std::string>> string_list_attr(const Attrs& attrs,
                                                         const std::string& name,
                                                         const std::string& where);

void add_int_attr(Attrs& attrs, const std::string& name, int64_t value);
void add_bool_attr(Attrs& attrs, const std::string& name, bool value);
void add_string_attr(Attrs& attrs, const std::string& name, const std::string& value);
void add_int_list_attr(Attrs& attrs, const std::string& name, const std::vector<int64_t>& values);
void add_string_list_attr(Attrs& attrs, const std::string& name,
                          const std::vector<std::string>& values);

}  // namespace moesim::workload::chakra

namespace moesim::workload::chakra {

// Attributes moesim's export adds so that export -> import rebuilds the same DAG exactly (ASTRA-
// sim ignores attributes it does not read): the DAG node id, the tag index, and the compute
// duration in picoseconds (duration_micros alone would round it); in the GlobalMetadata, the
// tag table, one list per Tag field.
inline constexpr const char* kNodeAttr = "moesim_node";
inline constexpr const char* kTagAttr = "moesim_tag";
inline constexpr const char* kDurationPsAttr = "moesim_duration_ps";
inline constexpr const char* kTagCollective = "moesim_tag_collective";
inline constexpr const char* kTagPhase = "moesim_tag_phase";
inline constexpr const char* kTagPass = "moesim_tag_pass";
inline constexpr const char* kTagLayer = "moesim_tag_layer";
inline constexpr const char* kTagIteration = "moesim_tag_iteration";
inline constexpr const char* kTagMicroBatch = "moesim_tag_micro_batch";
inline constexpr const char* kTagStage = "moesim_tag_stage";

}  // namespace moesim::workload::chakra
