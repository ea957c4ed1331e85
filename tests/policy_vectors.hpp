// Reading the policy test vectors of ../shared/data/policies/ (JSON) in tests. Boost 1.74 has
// no Boost.JSON, so this uses Boost.PropertyTree, which keeps object keys in file order and
// stores arrays as children with empty keys.
#pragma once

#include <string>
#include <vector>

// Boost 1.74's property_tree includes the deprecated <boost/bind.hpp>; keep its old behaviour
// without the pragma message.
#ifndef BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#endif
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

namespace moesim::test {

using boost::property_tree::ptree;

inline ptree read_policy_vectors(const std::string& file) {
  ptree root;
  boost::property_tree::read_json(std::string(MOESIM_SHARED_DATA) + "/policies/" + file, root);
  return root;
}

// A JSON array of scalars.
template <typename T>
std::vector<T> array_of(const ptree& node) {
  std::vector<T> out;
  for (const auto& [key, child] : node)
    out.push_back(child.template get_value<T>());
  return out;
}

// A JSON array of arrays of scalars.
template <typename T>
std::vector<std::vector<T>> matrix_of(const ptree& node) {
  std::vector<std::vector<T>> out;
  for (const auto& [key, child] : node)
    out.push_back(array_of<T>(child));
  return out;
}

}  // namespace moesim::test
