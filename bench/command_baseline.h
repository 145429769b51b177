// Times a peer's command-line tool (spawned through the shell) as a baseline, so that a
// benchmark in the same run can report its own time as a ratio to it.
#pragma once
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace rootd::bench {

// Runs `command` once per iteration; returns the mean wall time in seconds, or a negative
// value after marking the state with an error when the command fails.
inline double TimeCommand(benchmark::State& state, const std::string& command) {
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const int rc = std::system((command + " >/dev/null 2>&1").c_str());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rc != 0) {
      state.SkipWithError(("baseline failed: " + command).c_str());
      return -1;
    }
  }
  return total / static_cast<double>(state.iterations());
}

// Times `body` per iteration (wall clock) and sets counter `name` to the mean over `baseline`.
template <typename Body>
void TimeAgainst(benchmark::State& state, double baseline_seconds, const char* name, Body body) {
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (!body()) {
      state.SkipWithError("run failed");
      return;
    }
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (baseline_seconds > 0) state.counters[name] = total / static_cast<double>(state.iterations()) / baseline_seconds;
}

}  // namespace rootd::bench
