// Fuzz target: the XML bodies a Lync-protocol client sends (src/roles/lync):
// the SOAP contact-list SERVICE requests, the provisioning SUBSCRIBE body and
// the roaming-self list.
//
// Checks, for every input: nothing throws, aborts or reads out of bounds, and
// every refusal says why (a BodyError with a reason).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "fuzz_check.hpp"
#include "roles/lync/contact_service.hpp"
#include "roles/lync/provisioning.hpp"
#include "roles/lync/roaming_self.hpp"

namespace {

template <class V>
void check_reason(const V& v, const char* what) {
  if (auto* e = std::get_if<parley::lync::BodyError>(&v); e && e->reason.empty())
    parley::fuzz::fail(what, __FILE__, __LINE__);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_reason(parley::lync::parse_contact_service(text), "SOAP refusal without a reason");
  check_reason(parley::lync::parse_provisioning_request(text),
               "provisioning refusal without a reason");
  check_reason(parley::lync::parse_roaming_list(text), "roaming list refusal without a reason");
  return 0;
}
