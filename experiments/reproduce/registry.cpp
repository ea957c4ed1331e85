// The claim groups of `moesim reproduce`, in the order they run. A new group is its own file
// in this folder (defining `extern const Entry NAME_claim`) plus one line here.
#include "experiments/reproduce/claim.hpp"

namespace moesim::cli::reproduce {

extern const Entry spraying_ideal_claim;
extern const Entry llep_claim;
extern const Entry alf_claim;
extern const Entry eplb_claim;
extern const Entry rsn_aspl_claim;
extern const Entry deepep_claim;
extern const Entry engines_claim;

std::span<const Entry* const> registry() {
  static const Entry* const table[] = {
      &spraying_ideal_claim, &llep_claim,   &alf_claim,     &eplb_claim,
      &rsn_aspl_claim,       &deepep_claim, &engines_claim,
  };
  return table;
}

const Entry* find(std::string_view name) {
  for (const Entry* e : registry()) {
    if (name == e->name) return e;
  }
  return nullptr;
}

}  // namespace moesim::cli::reproduce
