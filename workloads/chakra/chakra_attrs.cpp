#include "workloads/chakra/chakra_attrs.hpp"

#include <limits>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload::chakra {
namespace {

using ChakraProtoMsg::AttributeProto;

// The value of an integer-typed attribute as a wide integer, or nullopt for another kind.
std::optional<__int128> integer_of(const AttributeProto& a) {
  switch (a.value_case()) {
    case AttributeProto::kInt32Val:
      return a.int32_val();
    case AttributeProto::kInt64Val:
      return a.int64_val();
    case AttributeProto::kUint32Val:
      return a.uint32_val();
    case AttributeProto::kUint64Val:
      return a.uint64_val();
    case AttributeProto::kSint32Val:
      return a.sint32_val();
    case AttributeProto::kSint64Val:
      return a.sint64_val();
    case AttributeProto::kFixed32Val:
      return a.fixed32_val();
    case AttributeProto::kFixed64Val:
      return a.fixed64_val();
    case AttributeProto::kSfixed32Val:
      return a.sfixed32_val();
    case AttributeProto::kSfixed64Val:
      return a.sfixed64_val();
    case AttributeProto::kBoolVal:
      return a.bool_val() ? 1 : 0;
    default:
      return std::nullopt;
  }
}

std::string int128_text(__int128 v) {
  if (v < 0) return "-" + int128_text(-v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  return s;
}

[[noreturn]] void wrong_kind(const std::string& where, const std::string& name,
                             const char* expected) {
  throw InputError(
      fmt::format("{}: attr {}: a value of another type: expected {}", where, name, expected));
}

}  // namespace

const AttributeProto* find_attr(const Attrs& attrs, const std::string& name) {
  for (const AttributeProto& a : attrs) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::optional<int64_t> int_attr(const Attrs& attrs, const std::string& name,
                                const std::string& where, int64_t min, int64_t max) {
  const AttributeProto* a = find_attr(attrs, name);
  if (a == nullptr) return std::nullopt;
  const std::optional<__int128> v = integer_of(*a);
  if (!v) wrong_kind(where, name, "an integer");
  if (*v < min || *v > max) {
    throw InputError(fmt::format("{}: attr {}: {}: expected an integer in [{}, {}]", where, name,
                                 int128_text(*v), min, max));
  }
  return static_cast<int64_t>(*v);
}

std::optional<std::string> string_attr(const Attrs& attrs, const std::string& name,
                                       const std::string& where) {
  const AttributeProto* a = find_attr(attrs, name);
  if (a == nullptr) return std::nullopt;
  if (a->value_case() != AttributeProto::kStringVal) wrong_kind(where, name, "a string");
  return a->string_val();
}

std::optional<std::vector<int64_t>> int_list_attr(const Attrs& attrs, const std::string& name,
                                                  const std::string& where) {
  const AttributeProto* a = find_attr(attrs, name);
  if (a == nullptr) return std::nullopt;
  if (a->value_case() != AttributeProto::kInt64List) wrong_kind(where, name, "an int64_list");
  return std::vector<int64_t>(a->int64_list().values().begin(), a->int64_list().values().end());
}

std::optional<std::vector<std::string>> string_list_attr(const Attrs& attrs,
                                                         const std::string& name,
                                                         const std::string& where) {
  const AttributeProto* a = find_attr(attrs, name);
  if (a == nullptr) return std::nullopt;
  if (a->value_case() != AttributeProto::kStringList) wrong_kind(where, name, "a string_list");
  return std::vector<std::string>(a->string_list().values().begin(),
                                  a->string_list().values().end());
}

void add_int_attr(Attrs& attrs, const std::string& name, int64_t value) {
  AttributeProto* a = attrs.Add();
  a->set_name(name);
  a->set_int64_val(value);
}

void add_bool_attr(Attrs& attrs, const std::string& name, bool value) {
  AttributeProto* a = attrs.Add();
  a->set_name(name);
  a->set_bool_val(value);
}

void add_string_attr(Attrs& attrs, const std::string& name, const std::string& value) {
  AttributeProto* a = attrs.Add();
  a->set_name(name);
  a->set_string_val(value);
}

void add_int_list_attr(Attrs& attrs, const std::string& name, const std::vector<int64_t>& values) {
  AttributeProto* a = attrs.Add();
  a->set_name(name);
  ChakraProtoMsg::Int64List* list = a->mutable_int64_list();  // set even when empty
  for (const int64_t v : values)
    list->add_values(v);
}

void add_string_list_attr(Attrs& attrs, const std::string& name,
                          const std::vector<std::string>& values) {
  AttributeProto* a = attrs.Add();
  a->set_name(name);
  ChakraProtoMsg::StringList* list = a->mutable_string_list();  // set even when empty
  for (const std::string& v : values)
    list->add_values(v);
}

}  // namespace moesim::workload::chakra
