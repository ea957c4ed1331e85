// The DAG driver on SimGrid: scheduler, worker and task actors (dag_driver.hpp).
#include "sim/simgrid/dag_driver.hpp"

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/kernel/resource/Action.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/dag_frontier.hpp"

namespace moesim::sim::simgrid {
namespace {

namespace sg4 = ::simgrid::s4u;
using ::simgrid::kernel::resource::Action;

TimePs to_ps(double seconds) {
  return TimePs{std::llround(seconds * 1e12)};
}

struct Worker {
  sg4::Host* host = nullptr;
  sg4::Mailbox* mailbox = nullptr;  // where senders put the transfers this worker receives
  sg4::SemaphorePtr wake;
  bool waiting = false;
  std::vector<uint32_t> puts, gets;  // queued transfers
};

class DagRun {
 public:
  DagRun(const Workload& w, const TransferPlan& plan, const Platform& pf, SimgridMode mode)
      : w_(w),
        plan_(plan),
        pf_(pf),
        latency_after_(mode == SimgridMode::MaxMin),
        frontier_(w),
        left_(w.size(), 0) {
    times_.nodes.assign(w.size(), NodeRecord{});
    transfer_node_.resize(plan.num_transfers());
    for (uint32_t n = 0; n < w.size(); ++n) {
      for (uint32_t t = plan.node_begin[n]; t < plan.node_begin[n + 1]; ++t)
        transfer_node_[t] = n;
    }
    make_workers();
    impl_.reserve(plan.num_transfers());
  }

  DagTimes run(sg4::Engine& engine) {
    if (w_.size() == 0) return std::move(times_);
    // Completions come from the network model itself, at their date, whether or not an actor
    // waits on the comm. The callback gets a NetworkAction, a class of SimGrid's private
    // headers that derives from Action alone, so it is viewed through its Action base.
    sg4::Link::on_communication_state_change_cb(
        [this](::simgrid::kernel::resource::NetworkAction& na, Action::State) {
          const auto& action = reinterpret_cast<const Action&>(na);
          if (action.get_state() != Action::State::FINISHED) return;
          const auto it = impl_.find(action.get_activity());
          if (it == impl_.end()) return;
          const uint32_t t = it->second;
          impl_.erase(it);
          const int64_t latency = plan_.path_latency[plan_.transfer_path[t]].ps;
          if (latency_after_ && latency > 0) {
            // Drained now; the last byte arrives one path latency later.
            const double at = sg4::Engine::get_clock() + static_cast<double>(latency) * 1e-12;
            ::simgrid::kernel::timer::Timer::set(at, [this, t] { arrived(t); });
          } else {
            arrived(t);
          }
        });
    sched_wake_ = sg4::Semaphore::create(0);
    sg4::Actor::create("scheduler", pf_.gpu(0), [this] { schedule(); });
    for (uint32_t id = 0; id < workers_.size(); ++id) {
      if (workers_[id].host == nullptr) continue;
      sg4::Actor::create(fmt::format("w{}", id), workers_[id].host, [this, id] { work(id); });
    }
    engine.run();
    if (finished_ != w_.size()) {
      throw InternalError(fmt::format("simgrid: the run ended with {} of {} DAG nodes unfinished",
                                      w_.size() - finished_, w_.size()));
    }
    return std::move(times_);
  }

 private:
  // One worker per endpoint host that sends or receives anything.
  void make_workers() {
    workers_.resize(pf_.endpoints.size());
    for (uint32_t p = 0; p < plan_.num_paths(); ++p) {
      for (const uint32_t e : {src_endpoint(p), dst_endpoint(p)}) {
        Worker& wk = workers_[e];
        if (wk.host != nullptr) continue;
        wk.host = pf_.endpoints[e];
        wk.mailbox = sg4::Mailbox::by_name(fmt::format("m{}", e));
        wk.wake = sg4::Semaphore::create(0);
      }
    }
  }

  uint32_t src_endpoint(uint32_t path) const {
    return pf_.endpoint_id(plan_.path_src[path], plan_.path_slot[path]);
  }
  uint32_t dst_endpoint(uint32_t path) const {
    return pf_.endpoint_id(plan_.path_dst[path], plan_.path_slot[path]);
  }
  uint32_t sender(uint32_t t) const { return src_endpoint(plan_.transfer_path[t]); }
  uint32_t receiver(uint32_t t) const { return dst_endpoint(plan_.transfer_path[t]); }

  void arrived(uint32_t t) {
    done_transfers_.push_back(t);
    wake_scheduler();
  }

  void wake_scheduler() {
    if (!sched_waiting_) return;
    sched_waiting_ = false;
    sched_wake_->release();
  }

  void wake(uint32_t id) {
    Worker& wk = workers_[id];
    if (!wk.waiting) return;
    wk.waiting = false;
    wk.wake->release();
  }

  void schedule() {
    frontier_.start_roots([this](uint32_t n) { start(n, 0.0); });
    while (finished_ < w_.size()) {
      if (done_transfers_.empty() && done_tasks_.empty()) {
        sched_waiting_ = true;
        sched_wake_->acquire();
        continue;
      }
      const double now = sg4::Engine::get_clock();
      transfers_.swap(done_transfers_);
      tasks_.swap(done_tasks_);
      for (uint32_t t : transfers_) {
        ++times_.events;
        const uint32_t n = transfer_node_[t];
        if (--left_[n] == 0) finish(n, now);
      }
      for (uint32_t n : tasks_)
        finish(n, now);
      transfers_.clear();
      tasks_.clear();
    }
    all_done_ = true;
    for (uint32_t id = 0; id < workers_.size(); ++id)
      wake(id);
  }

  void start(uint32_t n, double now) {
    ++times_.events;
    times_.nodes[n].start = to_ps(now);
    const DagNode& node = w_.node(n);
    if (node.kind == NodeKind::Compute) {
      const auto flops = static_cast<double>(node.duration.ps);  // kFlopsPerSecond: 1 per ps
      sg4::Actor::create(fmt::format("t{}", n), pf_.gpu(node.src), [this, n, flops] {
        if (flops > 0) sg4::this_actor::execute(flops);
        done_tasks_.push_back(n);
        wake_scheduler();
      });
      return;
    }
    left_[n] = plan_.node_begin[n + 1] - plan_.node_begin[n];
    for (uint32_t t = plan_.node_begin[n]; t < plan_.node_begin[n + 1]; ++t) {
      const uint32_t s = sender(t), r = receiver(t);
      workers_[s].puts.push_back(t);
      workers_[r].gets.push_back(t);
      wake(s);
      wake(r);
    }
  }

  void finish(uint32_t n, double now) {
    ++times_.events;
    ++finished_;
    times_.nodes[n].finish = to_ps(now);
    frontier_.finish(n, [this, now](uint32_t m) { start(m, now); });
  }

  // Posts the queued transfers. A put and its get are posted at the same date, so each
  // mailbox holds as many puts as gets once every actor has run; mailboxes match in FIFO
  // order, which may pair a put with the get of another transfer into the same endpoint, but
  // that get sits on the same host, so the comm has the put's size and route either way.
  // Completions are told apart by the put side's comm.
  void work(uint32_t id) {
    Worker& me = workers_[id];
    std::vector<uint32_t> puts, gets;
    while (true) {
      puts.swap(me.puts);
      gets.swap(me.gets);
      for (uint32_t t : puts) {
        sg4::CommPtr c =
            workers_[receiver(t)].mailbox->put_init(&payload_, plan_.transfer_bytes[t]);
        c->start();
        impl_.emplace(c->get_impl(), t);
        handles_.push_back(std::move(c));  // alive until the run ends (toolchain.md §3 P4)
      }
      for (size_t i = 0; i < gets.size(); ++i) {  // any get on this host matches (see above)
        sg4::CommPtr c = me.mailbox->get_init()->set_dst_data(&sink_, sizeof(void*));
        c->start();
        handles_.push_back(std::move(c));
      }
      puts.clear();
      gets.clear();
      if (all_done_) return;
      if (me.puts.empty() && me.gets.empty()) {
        me.waiting = true;
        me.wake->acquire();
      }
    }
  }

  const Workload& w_;
  const TransferPlan& plan_;
  const Platform& pf_;
  const bool latency_after_;  // MaxMin: the driver adds path latencies after the drain
  DagFrontier frontier_;
  std::vector<uint32_t> left_;  // per flow: transfers not yet arrived
  std::vector<uint32_t> transfer_node_;
  std::vector<Worker> workers_;  // per endpoint; host null where nothing is sent or received
  sg4::SemaphorePtr sched_wake_;
  bool sched_waiting_ = false;
  bool all_done_ = false;
  size_t finished_ = 0;
  std::vector<uint32_t> done_transfers_, done_tasks_, transfers_, tasks_;
  std::unordered_map<const void*, uint32_t> impl_;  // running put comm -> transfer
  std::vector<sg4::CommPtr> handles_;
  int payload_ = 0;  // every put carries a pointer to it; SimGrid needs a non-null one
  void* sink_ = nullptr;
  DagTimes times_;
};

}  // namespace

DagTimes run_dag(sg4::Engine& engine, const Workload& w, const TransferPlan& plan,
                 const Platform& platform, SimgridMode mode) {
  // Deliberately never freed: this runs in a child process that exits right after, and tearing
  // down millions of SimGrid comms would only cost time.
  auto* run = new DagRun(w, plan, platform, mode);
  return run->run(engine);
}

}  // namespace moesim::sim::simgrid
