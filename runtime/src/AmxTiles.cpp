//===- AmxTiles.cpp - Products of split operands on AMX tiles -------------===//

#include "runtime/src/AmxTiles.h"

#include <cpuid.h>

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace kiln::runtime::amx {

bool isAmxUsable() {
  static const bool usable = [] {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
      return false;
    bool hasAmxBf16 = edx & (1u << 22), hasAmxTile = edx & (1u << 24);
    if (!hasAmxBf16 || !hasAmxTile)
      return false;
#ifdef __linux__
    // Linux hands out the 8 KiB tile state only on request.
    constexpr int archReqXcompPerm = 0x1023, xfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, archReqXcompPerm, xfeatureXtiledata) == 0;
#else
    return false;
#endif
  }();
  return usable;
}

namespace {

/// The tile configuration (palette 1): eight tiles of 16 rows of 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t bytesPerRow[16] = {};
  uint8_t rows[16] = {};

  TileConfig() {
    for (int tile = 0; tile < 8; ++tile) {
      bytesPerRow[tile] = 64;
      rows[tile] = kTileRows;
    }
  }
};

} // namespace

__attribute__((target("amx-tile"))) void loadTileConfig() {
  static const TileConfig config;
  _tile_loadconfig(&config);
}

__attribute__((target("amx-tile"))) void releaseTiles() { _tile_release(); }

} // namespace kiln::runtime::amx
