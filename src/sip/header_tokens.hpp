// Questions asked of a request's token-list headers, answered the same way by
// every role.
//
//   supports_option  Supported (RFC 3261 20.37): is `option` among the option
//                    tags of any Supported header? Case-insensitive.
//   accepts_type     Accept (RFC 3261 20.1): is the media type `type` listed
//                    (parameters such as q ignored)? False when there is no
//                    Accept header at all: the caller decides the default.
//   event_package    Event (RFC 6665 7.2.1): the event type without its
//                    parameters ("presence" of "presence;id=1"); empty when
//                    there is no Event header.
#pragma once

#include <string_view>

#include "sip/message.hpp"

namespace parley::sip {

bool supports_option(const Message& m, std::string_view option);
bool accepts_type(const Message& m, std::string_view type);
std::string_view event_package(const Message& m);

}  // namespace parley::sip
