#include "roles/conferencing/conference_uri.hpp"

#include "base/ascii.hpp"
#include "sip/random.hpp"

namespace parley::conf {
namespace {

constexpr std::string_view kFocusFactory = "app:conf:focusfactory";
constexpr std::string_view kFocusPrefix = "app:conf:focus:id:";
constexpr std::string_view kChatPrefix = "app:conf:chat:id:";

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && base::iequals(s.substr(0, prefix.size()), prefix);
}

std::string gruu(std::string_view aor, std::string_view opaque) {
  std::string out;
  out.reserve(4 + aor.size() + 15 + opaque.size());
  out.append("sip:").append(aor).append(";gruu;opaque=").append(opaque);
  return out;
}

}  // namespace

bool valid_conference_id(std::string_view id) {
  if (id.size() < kMinConferenceIdLength || id.size() > kMaxConferenceIdLength) return false;
  for (char c : id) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alnum) return false;
  }
  return true;
}

std::string new_conference_id() {
  std::string id = sip::random_hex(16);
  for (char& c : id) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return id;
}

std::string focus_factory_uri(std::string_view aor) { return gruu(aor, kFocusFactory); }

std::string focus_uri(std::string_view aor, std::string_view id) {
  return gruu(aor, std::string(kFocusPrefix) + std::string(id));
}

std::string mcu_uri(std::string_view aor, std::string_view id) {
  return gruu(aor, std::string(kChatPrefix) + std::string(id));
}

std::optional<ConfTarget> classify(std::string_view opaque_param, std::string_view aor) {
  if (aor.empty()) return std::nullopt;
  ConfTarget t;
  t.organizer = std::string(aor);
  if (base::iequals(opaque_param, kFocusFactory)) {
    t.kind = ConfTarget::focus_factory;
    return t;
  }
  std::string_view id;
  if (istarts_with(opaque_param, kFocusPrefix)) {
    t.kind = ConfTarget::focus;
    id = opaque_param.substr(kFocusPrefix.size());
  } else if (istarts_with(opaque_param, kChatPrefix)) {
    t.kind = ConfTarget::chat_mcu;
    id = opaque_param.substr(kChatPrefix.size());
  } else {
    return std::nullopt;
  }
  if (!valid_conference_id(id)) return std::nullopt;
  t.id = std::string(id);
  return t;
}

}  // namespace parley::conf
