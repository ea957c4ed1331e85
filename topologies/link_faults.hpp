// Failed and degraded links (--fail-links, --degrade-links): the topology rebuilt without the
// failed links and with the degraded ones at their new rate, before routing, so every network
// model (analytic, fluid, packet, SimGrid) runs on the same damaged fabric.
//   --fail-links N          N distinct switch-to-switch links, drawn from stream "failures"
//   --fail-links a-b,c-d    the links between the named vertices (e.g. leaf3-spine2)
//   --degrade-links a-b=RATE,...   both directions of each named link at RATE (below its own)
// A change that leaves some host unable to reach another (hosts do not forward) is refused,
// naming the links; so is a name matching no link, or a degraded rate not below the link's.
#pragma once

#include <string>

#include "sim/core/options.hpp"
#include "topologies/topology.hpp"

namespace moesim::topo {

// Applies the options' failures and degradations to `t` (a copy when there are any; `t` itself
// otherwise). InputError naming the option on a bad spec.
Topology apply_link_faults(Topology t, const OptionValues& o);

}  // namespace moesim::topo
