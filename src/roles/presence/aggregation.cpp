#include "roles/presence/aggregation.hpp"

#include <algorithm>

#include "roles/lync/lync_events.hpp"
#include "roles/lync/xml_util.hpp"
#include "roles/presence/availability.hpp"

namespace parley::presence {
namespace xml = lync::xml;
namespace {

std::string_view after_colon(std::string_view s) {
  const std::size_t colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

}  // namespace

std::optional<StateInstance> parse_state(std::string_view state_xml) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, state_xml, lync::kMaxRequestBodyBytes, error)) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "state") return std::nullopt;
  std::string_view type;
  for (pugi::xml_attribute a = root.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view n = a.name();
    if (n.size() > 5 && n.substr(n.size() - 5) == ":type") type = after_colon(a.value());
  }
  StateInstance s;
  if (type == "machineState") {
    s.kind = StateKind::machine;
  } else if (type == "userState") {
    s.kind = StateKind::user;
  } else if (type == "phoneState") {
    s.kind = StateKind::phone;
  } else if (type == "calendarState") {
    s.kind = StateKind::calendar;
  } else {
    return std::nullopt;
  }
  pugi::xml_node av = xml::child(root, "availability");
  if (!av) return std::nullopt;
  const auto v = xml::to_int(xml::text(av));
  if (!v || *v < 0 || *v > 0xFFFFFFFFLL) return std::nullopt;
  s.availability = static_cast<std::uint32_t>(*v);
  if (pugi::xml_node act = xml::child(root, "activity")) s.activity_token = act.attribute("token").value();
  s.endpoint = root.attribute("endpointId").value();
  return s;
}

std::uint32_t aggregate_availability(const std::vector<StateInstance>& states, bool any_endpoint) {
  if (!any_endpoint) return kOffline;
  const StateInstance* user = nullptr;
  std::optional<std::uint32_t> machine;  // most active (lowest)
  std::optional<std::uint32_t> activity;  // highest phone/calendar value
  for (const StateInstance& s : states) {
    if (s.availability < 3000) continue;  // unknown
    switch (s.kind) {
      case StateKind::user:
        if (!user || s.publish_time >= user->publish_time) user = &s;
        break;
      case StateKind::machine:
        machine = machine ? std::min(*machine, s.availability) : s.availability;
        break;
      case StateKind::phone:
      case StateKind::calendar:
        activity = activity ? std::max(*activity, s.availability) : s.availability;
        break;
    }
  }
  std::optional<std::uint32_t> result;
  if (user) {
    result = user->availability;
    // Idle means the machines say nobody is at them (inactive or away); a
    // machine state that merely mirrors a manual busy or DND is not idle.
    const Band mb = machine ? band_of(*machine) : Band::available;
    const bool machines_idle = machine && (mb == Band::available_idle || mb == Band::busy_idle ||
                                           mb == Band::brb || mb == Band::away);
    if (machines_idle && band_of(*result) == Band::available) result = kAvailableIdle;
    if (machines_idle && band_of(*result) == Band::busy) result = kBusyIdle;
  } else if (machine) {
    result = machine;
  }
  if (activity) {
    if (!result) {
      result = activity;
    } else {
      const Band b = band_of(*result);
      if ((b == Band::available || b == Band::available_idle) && *activity > *result) result = activity;
    }
  }
  return result.value_or(kOffline);
}

}  // namespace parley::presence
