// Batched presence subscription ([MS-PRES] 2.2.2.x batchSub, 3.7.5.x): one
// SUBSCRIBE (Event: presence, Require: adhoclist, categoryList) with an
// application/msrtc-adrl-categorylist+xml body naming many presentities and
// the categories wanted of each:
//
//   <batchSub xmlns="http://schemas.microsoft.com/2006/01/sip/batch-subscribe"
//             uri="sip:alice@x" name="">
//     <action name="subscribe" id="63792024">
//       <adhocList><resource uri="sip:bob@x"/>
//                  <resource uri="sip:carol@x"><context/></resource></adhocList>
//       <categoryList xmlns="http://schemas.microsoft.com/2006/09/sip/categorylist">
//         <category name="state"/>...</categoryList></action></batchSub>
//
// The NOTIFYs are build_rlmi_multipart (categories_document.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"

namespace parley::presence {

inline constexpr std::string_view kTypeAdrlCategoryList = "application/msrtc-adrl-categorylist+xml";
inline constexpr std::string_view kNsBatchSubscribe =
    "http://schemas.microsoft.com/2006/01/sip/batch-subscribe";
inline constexpr std::string_view kNsCategoryList =
    "http://schemas.microsoft.com/2006/09/sip/categorylist";

// Limits: more resources or categories in one request is invalid. 1000 is the
// Lync Server 2013 contact list limit per user.
inline constexpr std::size_t kMaxBatchResources = 1000;
inline constexpr std::size_t kMaxBatchCategories = 64;

struct BatchSubscribe {
  std::string list_uri;                 // batchSub@uri, the subscriber
  std::string action;                   // "subscribe" or "unsubscribe"
  std::vector<std::string> resources;   // resource@uri in order, duplicates dropped (case-insensitive)
  std::vector<std::string> categories;  // category@name in order, duplicates dropped
};

// Parses the batchSub body (the first action element is used). Not
// well-formed, too large or not batchSub: malformed. No action, an action
// other than subscribe/unsubscribe, a resource without uri, a category without
// name, or beyond the limits: invalid. An empty adhocList or categoryList is
// accepted (empty vectors).
std::variant<BatchSubscribe, lync::BodyError> parse_batch_subscribe(std::string_view body);

}  // namespace parley::presence
