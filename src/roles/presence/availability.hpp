// Availability numbers of enhanced presence ([MS-PRES] 2.2.2.x state,
// 3.7.5.5 legacy interop ranges): a state's <availability> is a number whose
// thousand-range says what the watcher's client shows. The constants are the
// values clients publish (pidgin-sipe and Lync use the middle of each range).
//
//   range          band            constant          activity token
//   0-2999         offline (*)     -                 Offline
//   3000-4499      available       kAvailable 3500   Available
//   4500-5999      available_idle  kAvailableIdle    Inactive
//   6000-7499      busy            kBusy 6500        Busy
//   7500-8999      busy_idle       kBusyIdle 7500    Busy (**)
//   9000-11999     dnd             kDoNotDisturb     DoNotDisturb
//   12000-14999    brb             kBeRightBack      BeRightBack
//   15000-17999    away            kAway 15500       Away
//   18000-         offline         kOffline 18500    Offline
//
// (*) Below 3000 is not a defined range ("unknown", pidgin-sipe's
//     SIPE_OCS2007_AVAILABILITY_UNKNOWN = 0); like pidgin-sipe
//     (sipe_ocs2007_status_from_legacy_availability) it is treated as offline.
// (**) The client tells busy-idle from busy by the number alone (pidgin-sipe
//     maps 7500-8999 to "Busy-Idle" without looking at the token).
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::presence {

inline constexpr std::uint32_t kAvailable = 3500;
inline constexpr std::uint32_t kAvailableIdle = 4500;
inline constexpr std::uint32_t kBusy = 6500;
inline constexpr std::uint32_t kBusyIdle = 7500;
inline constexpr std::uint32_t kDoNotDisturb = 9500;
inline constexpr std::uint32_t kBeRightBack = 12500;
inline constexpr std::uint32_t kAway = 15500;
inline constexpr std::uint32_t kOffline = 18500;

enum class Band { available, available_idle, busy, busy_idle, dnd, brb, away, offline };

// The band `availability` falls in (table above); below 3000 is offline.
constexpr Band band_of(std::uint32_t availability) {
  if (availability < 3000) return Band::offline;
  if (availability < 4500) return Band::available;
  if (availability < 6000) return Band::available_idle;
  if (availability < 7500) return Band::busy;
  if (availability < 9000) return Band::busy_idle;
  if (availability < 12000) return Band::dnd;
  if (availability < 15000) return Band::brb;
  if (availability < 18000) return Band::away;
  return Band::offline;
}

// The band's constant (the value the server publishes for it).
constexpr std::uint32_t availability_of(Band band) {
  switch (band) {
    case Band::available: return kAvailable;
    case Band::available_idle: return kAvailableIdle;
    case Band::busy: return kBusy;
    case Band::busy_idle: return kBusyIdle;
    case Band::dnd: return kDoNotDisturb;
    case Band::brb: return kBeRightBack;
    case Band::away: return kAway;
    case Band::offline: return kOffline;
  }
  return kOffline;
}

// The activity token of the band (table above), for <activity token="...">.
constexpr std::string_view activity_token(Band band) {
  switch (band) {
    case Band::available: return "Available";
    case Band::available_idle: return "Inactive";
    case Band::busy: return "Busy";
    case Band::busy_idle: return "Busy";
    case Band::dnd: return "DoNotDisturb";
    case Band::brb: return "BeRightBack";
    case Band::away: return "Away";
    case Band::offline: return "Offline";
  }
  return "Offline";
}

}  // namespace parley::presence
