#include "roles/proxy/im_sessions.hpp"

#include <functional>
#include <optional>
#include <vector>

#include "sdp/parse.hpp"
#include "sip/chars.hpp"

namespace parley::proxy {

namespace {

std::int64_t unix_seconds(ImSessionTracker::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string aor_of(const std::optional<sip::NameAddr>& na) {
  if (!na) return {};
  return na->uri.aor();
}

}  // namespace

ImSessionTracker::ImSessionTracker(ImSessionSink& sink, std::chrono::seconds idle_limit)
    : sink_(sink), idle_limit_(idle_limit) {}

ImSessionTracker::Shard& ImSessionTracker::shard_for(std::string_view call_id) {
  return shards_[std::hash<std::string_view>{}(call_id) % kShards];
}

bool ImSessionTracker::is_im_invite(const sip::Message& invite) {
  if (invite.method() != sip::Method::Invite || invite.body().empty()) return false;
  std::string_view type = invite.content_type();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (!sip::iequals(type, "application/sdp")) return false;
  auto parsed = sdp::parse(invite.body());
  auto* sd = std::get_if<sdp::SessionDescription>(&parsed);
  if (!sd || sd->media.empty()) return false;
  for (const auto& m : sd->media) {
    if (m.type() != sdp::MediaType::Message) return false;
  }
  return true;
}

void ImSessionTracker::answered(const sip::Message& invite, Clock::time_point now) {
  if (!is_im_invite(invite)) return;
  std::string call_id(invite.call_id());
  Shard& sh = shard_for(call_id);
  std::lock_guard lock(sh.mu);
  auto [it, fresh] = sh.by_call_id.try_emplace(call_id);
  if (!fresh) return;
  ImSession& s = it->second.session;
  s.call_id = call_id;
  s.caller = aor_of(invite.from());
  s.callee = aor_of(invite.to());
  s.started_at = unix_seconds(now);
  // [MS-SIP]: the first message of the conversation may travel in the INVITE.
  if (invite.find("Ms-Text-Format")) s.messages = 1;
  it->second.last_activity = now;
}

void ImSessionTracker::in_dialog(const sip::Message& request, Clock::time_point now) {
  std::string_view call_id = request.call_id();
  Shard& sh = shard_for(call_id);
  std::optional<ImSession> done;
  {
    std::lock_guard lock(sh.mu);
    auto it = sh.by_call_id.find(std::string(call_id));
    if (it == sh.by_call_id.end()) return;
    it->second.last_activity = now;
    if (request.method() == sip::Method::Message) {
      ++it->second.session.messages;
    } else if (request.method() == sip::Method::Bye) {
      it->second.session.ended_at = unix_seconds(now);
      it->second.session.ended_by_bye = true;
      done = std::move(it->second.session);
      sh.by_call_id.erase(it);
    }
  }
  if (done) sink_.record(*done);
}

std::size_t ImSessionTracker::expire(Clock::time_point now) {
  std::size_t n = 0;
  for (auto& sh : shards_) {
    std::vector<ImSession> done;
    {
      std::lock_guard lock(sh.mu);
      for (auto it = sh.by_call_id.begin(); it != sh.by_call_id.end();) {
        if (now != Clock::time_point::max() && now - it->second.last_activity < idle_limit_) {
          ++it;
          continue;
        }
        it->second.session.ended_at = unix_seconds(it->second.last_activity);
        done.push_back(std::move(it->second.session));
        it = sh.by_call_id.erase(it);
      }
    }
    for (const auto& s : done) sink_.record(s);
    n += done.size();
  }
  return n;
}

std::size_t ImSessionTracker::open_count() const {
  std::size_t n = 0;
  for (const auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    n += sh.by_call_id.size();
  }
  return n;
}

}  // namespace parley::proxy
