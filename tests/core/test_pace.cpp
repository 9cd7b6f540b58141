// SPDX-License-Identifier: GPL-3.0-or-later
// pace.h: the pace a short run's step reports show, as the dialog's preview measures it.
#include "pace.h"

#include <gtest/gtest.h>

namespace ns = neural_style;

namespace {

ns::StepReport step_at(double seconds, int width, int height) {
    ns::StepReport report;
    report.seconds = seconds;
    report.width = width;
    report.height = height;
    return report;
}

TEST(PaceMeter, TakesTheMedianOfAScalesStepsAfterItsFirst) {
    ns::PaceMeter meter;
    // 1000x500: half a megapixel. The first step carries the scale's setup (5 s); the steps after it take 1 s
    // each, one of them 3 s.
    const double ends[] = {5, 6, 7, 10, 11};
    for (int i = 0; i < 3; ++i) {
        meter.add(step_at(ends[i], 1000, 500));
        EXPECT_EQ(meter.seconds_per_megapixel_step(), 0) << "after step " << i + 1 << ": fewer than 3 measured";
    }
    meter.add(step_at(ends[3], 1000, 500));
    EXPECT_DOUBLE_EQ(meter.seconds_per_megapixel_step(), 2) << "1 s a step of half a megapixel; 3 s is an outlier";
    meter.add(step_at(ends[4], 1000, 500));
    EXPECT_DOUBLE_EQ(meter.seconds_per_megapixel_step(), 2);
}

TEST(PaceMeter, LeavesOutEachScalesFirstStepAndTiledOrUnfinishedSteps) {
    ns::PaceMeter meter;
    meter.add(step_at(1, 500, 500));
    meter.add(step_at(1.5, 500, 500)); // 2 s per megapixel
    // The next scale's first step, with its setup: 10 s for a megapixel.
    meter.add(step_at(11.5, 1000, 1000));
    ns::StepReport between_tiles = step_at(100, 1000, 1000);
    between_tiles.in_step = true;
    meter.add(between_tiles);
    ns::StepReport tiled = step_at(20, 1000, 1000);
    tiled.tiles = 4; // its work is more than its pixels
    meter.add(tiled);
    EXPECT_EQ(meter.seconds_per_megapixel_step(), 0) << "one step measured";
    meter.add(step_at(22, 1000, 1000));
    meter.add(step_at(24, 1000, 1000));
    EXPECT_DOUBLE_EQ(meter.seconds_per_megapixel_step(), 2);
}

TEST(PaceMeter, StepsReportedTogetherTellNothing) {
    ns::PaceMeter meter; // CUDA reports come in batches: steps of a batch carry one time
    for (int i = 0; i < 10; ++i)
        meter.add(step_at(1, 100, 100));
    EXPECT_EQ(meter.seconds_per_megapixel_step(), 0);
}

} // namespace
