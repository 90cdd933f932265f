// Presence aggregation ([MS-PRES] 3.7.5.x "aggregation script", the
// computation of aggregated availability; Lync Server 2013 SDK "Aggregation
// containers"): a user's endpoints publish state instances to the
// aggregation containers 2 and 3 (machineState per endpoint, userState when
// the user picks a status, phoneState during a call, calendarState for
// meetings); the server derives one aggregateState availability and
// publishes it to 100/200/300/400 for watchers (aggregate_state_payload).
//
// Rules implemented by aggregate_availability (in order):
//   1. No signed-in endpoint: kOffline.
//   2. Machine state: the most active endpoint counts, i.e. the lowest
//      machine availability ([MS-PRES]: total ordering Active < Inactive <
//      Unknown < Away < Off; the ranges are ordered the same way).
//   3. User state: the newest userState (greatest publish_time; on a tie the
//      later one in the vector) overrides the machine states. Idle variants:
//      when it is in the available band and the most active machine state is
//      idle or away (the available-idle, busy-idle, be-right-back or away
//      bands), the result is kAvailableIdle (4500, "Inactive"); in the busy
//      band it is kBusyIdle (7500). A machine state in the busy or DND band is
//      not idle: pidgin-sipe publishes its machine state at the availability
//      the user chose, so a manual busy with a busy machine stays busy. No
//      machine state: no idle variant.
//   4. Without a user state the machine value stands (a 4500 machine state is
//      already the idle variant). Neither user nor machine state: kOffline
//      unless a phone/calendar state gives a value (step 5).
//   5. Phone and calendar states (a call: 6500 "on-the-phone", a meeting:
//      6500 "in-a-meeting") raise a result in the available or
//      available-idle band to their availability when higher; they never
//      lower a result nor change busy, DND, BRB, away or offline.
// Values below 3000 (unknown) in any instance are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::presence {

enum class StateKind { machine, user, phone, calendar };

struct StateInstance {
  StateKind kind = StateKind::machine;
  std::uint32_t availability = 0;
  std::string activity_token;  // activity@token, empty when none
  std::string endpoint;        // publisher endpoint key; empty for user/static
  std::int64_t publish_time = 0;  // seconds
};

// Parses a <state> payload: xsi:type machineState | userState | phoneState |
// calendarState (prefixes of the attribute and of its value are ignored),
// <availability> (an unsigned integer), <activity token>. The endpoint is
// state@endpointId when present, publish_time 0 (the caller sets both from the
// category instance). nullopt when not well-formed, not a state element, of
// another type (e.g. aggregateState) or without a usable availability.
std::optional<StateInstance> parse_state(std::string_view state_xml);

// The aggregate availability (rules above) from all state instances of
// containers 2/3 (the caller dedups instances) and whether any endpoint of
// the user is signed in.
std::uint32_t aggregate_availability(const std::vector<StateInstance>& states, bool any_endpoint);

}  // namespace parley::presence
