#include "sip/transaction/branch.hpp"

#include "sip/random.hpp"

namespace parley::sip {

std::string make_branch() { return std::string(kBranchMagicCookie) + random_hex(16); }

}  // namespace parley::sip
