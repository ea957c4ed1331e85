#include "experiments/chakra_options.hpp"

namespace moesim::cli {

std::vector<OptionSpec> chakra_option_specs() {
  return {param(text_option("chakra", "", "workload",
                            "chakra: Chakra ET rank files PREFIX.0.et ... PREFIX.(N-1).et "
                            "(ASTRA-sim's workload format); rank r runs on host r")),
          param(text_option("chakra-hosts", "", "workload",
                            "chakra: CSV rank,host placing each rank on a host (default: rank "
                            "r on host r)"))};
}

}  // namespace moesim::cli
