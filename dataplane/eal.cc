#include "dataplane/eal.h"

#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <sched.h>

#include <atomic>

#include "zone/text.h"

// The sanitizer build's LeakSanitizer: with net_af_xdp, libxdp (1.3, under DPDK 22.11's PMD)
// keeps one 80-octet allocation past rte_eth_dev_close (reported from xsk_umem__create), so
// rootd would fail at exit on memory that is neither ours nor reachable to free.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
extern "C" const char* __lsan_default_suppressions() { return "leak:libxdp.so\n"; }
#endif
#endif

namespace rootd::dataplane {

absl::StatusOr<std::vector<std::string>> SplitArguments(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return absl::InvalidArgumentError(Cat("EAL arguments: unterminated ", quote, " quote"));
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::string DeviceName(const std::string& devargs) { return devargs.substr(0, devargs.find(',')); }

std::vector<std::string> WithVdev(std::vector<std::string> args, const std::string& devargs) {
  const std::string name = DeviceName(devargs);
  if (name.rfind("net_", 0) != 0) return args;  // a PCI device: EAL probes it from the bus
  for (size_t i = 0; i < args.size(); ++i) {
    std::string given;
    if (args[i] == "--vdev" && i + 1 < args.size()) given = args[i + 1];
    if (args[i].rfind("--vdev=", 0) == 0) given = args[i].substr(7);
    if (!given.empty() && DeviceName(given) == name) return args;
  }
  args.push_back("--vdev");
  args.push_back(devargs);
  return args;
}

absl::StatusOr<std::unique_ptr<Eal>> Eal::Init(const std::vector<std::string>& args) {
  static std::atomic<bool> initialised{false};
  if (initialised.exchange(true)) return absl::FailedPreconditionError("EAL is initialised once per process");
  // rte_eal_init keeps pointers into argv and permutes it: the words live as long as EAL.
  static std::vector<std::string> words;
  static std::vector<char*> argv;
  words.assign(1, "rootd");
  words.insert(words.end(), args.begin(), args.end());
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  cpu_set_t affinity;
  const bool have_affinity = pthread_getaffinity_np(pthread_self(), sizeof affinity, &affinity) == 0;
  const int parsed = rte_eal_init(static_cast<int>(words.size()), argv.data());
  if (have_affinity) pthread_setaffinity_np(pthread_self(), sizeof affinity, &affinity);
  if (parsed < 0) return absl::InternalError(Cat("EAL initialisation failed: ", rte_strerror(rte_errno)));

  std::unique_ptr<Eal> eal(new Eal());
  unsigned lcore = 0;
  RTE_LCORE_FOREACH_WORKER(lcore) { eal->worker_lcores_.push_back(lcore); }
  return eal;
}

Eal::~Eal() { rte_eal_cleanup(); }

}  // namespace rootd::dataplane
