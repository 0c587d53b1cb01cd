// Sysinfo: the last-level cache is the highest data or unified level, and the machine facts that
// make timings or their interpretation unreliable are listed as noise hazards.
//
// Invariant: a fact the suite could not read (cache sizes) or a setting that changes what the
// numbers mean (huge pages off) is reported, never silently assumed.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sysinfo.h"

namespace bnbench {
namespace {

bool mentions(const std::vector<std::string>& hazards, const std::string& words) {
  return std::any_of(hazards.begin(), hazards.end(),
                     [&](const std::string& h) { return h.find(words) != std::string::npos; });
}

MachineInfo quiet_machine() {
  MachineInfo m;
  m.logical_cpus = 2;
  m.governor = "performance";
  m.turbo = "off";
  m.huge_pages = "madvise";
  m.caches = {{1, "Data", 32 << 10},
              {1, "Instruction", 32 << 10},
              {2, "Unified", 1 << 20},
              {3, "Unified", 32 << 20}};
  return m;
}

TEST(Sysinfo, LastLevelCacheIsTheHighestDataOrUnifiedLevel) {
  MachineInfo m = quiet_machine();
  EXPECT_EQ(m.last_level_cache_bytes(), 32 << 20);
  m.caches.pop_back();
  EXPECT_EQ(m.last_level_cache_bytes(), 1 << 20);
  m.caches.clear();
  EXPECT_EQ(m.last_level_cache_bytes(), 0);
}

TEST(Sysinfo, UnknownCachesAndHugePagesOffAreHazards) {
  MachineInfo m = quiet_machine();
  EXPECT_FALSE(mentions(noise_hazards(m, 1), "cache sizes unknown"));
  EXPECT_FALSE(mentions(noise_hazards(m, 1), "huge pages"));
  m.caches.clear();
  m.huge_pages = "never";
  const auto hazards = noise_hazards(m, 1);
  EXPECT_TRUE(mentions(hazards, "cache sizes unknown"));
  EXPECT_TRUE(mentions(hazards, "transparent huge pages disabled"));
}

}  // namespace
}  // namespace bnbench
