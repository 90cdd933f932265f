#include "roles/presence/availability.hpp"

#include <gtest/gtest.h>

namespace parley::presence {
namespace {

TEST(Availability, BandsFollowTheMsPresRanges) {
  EXPECT_EQ(band_of(0), Band::offline);
  EXPECT_EQ(band_of(2999), Band::offline);
  EXPECT_EQ(band_of(3000), Band::available);
  EXPECT_EQ(band_of(kAvailable), Band::available);
  EXPECT_EQ(band_of(4499), Band::available);
  EXPECT_EQ(band_of(kAvailableIdle), Band::available_idle);
  EXPECT_EQ(band_of(5999), Band::available_idle);
  EXPECT_EQ(band_of(6000), Band::busy);
  EXPECT_EQ(band_of(kBusy), Band::busy);
  EXPECT_EQ(band_of(kBusyIdle), Band::busy_idle);
  EXPECT_EQ(band_of(8999), Band::busy_idle);
  EXPECT_EQ(band_of(9000), Band::dnd);
  EXPECT_EQ(band_of(kDoNotDisturb), Band::dnd);
  EXPECT_EQ(band_of(11999), Band::dnd);
  EXPECT_EQ(band_of(kBeRightBack), Band::brb);
  EXPECT_EQ(band_of(14999), Band::brb);
  EXPECT_EQ(band_of(kAway), Band::away);
  EXPECT_EQ(band_of(17999), Band::away);
  EXPECT_EQ(band_of(18000), Band::offline);
  EXPECT_EQ(band_of(kOffline), Band::offline);
  EXPECT_EQ(band_of(0xFFFFFFFFu), Band::offline);
}

TEST(Availability, TokensAndConstants) {
  EXPECT_EQ(activity_token(Band::available), "Available");
  EXPECT_EQ(activity_token(Band::available_idle), "Inactive");
  EXPECT_EQ(activity_token(Band::busy), "Busy");
  EXPECT_EQ(activity_token(Band::dnd), "DoNotDisturb");
  EXPECT_EQ(activity_token(Band::brb), "BeRightBack");
  EXPECT_EQ(activity_token(Band::away), "Away");
  EXPECT_EQ(activity_token(Band::offline), "Offline");
  for (Band b : {Band::available, Band::available_idle, Band::busy, Band::busy_idle, Band::dnd,
                 Band::brb, Band::away, Band::offline}) {
    EXPECT_EQ(band_of(availability_of(b)), b);
  }
}

}  // namespace
}  // namespace parley::presence
