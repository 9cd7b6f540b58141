// SPDX-License-Identifier: GPL-3.0-or-later
// neural-style fetch-weights: downloads the VGG19 weights the core needs (see fetch/weights_fetch.h).
#pragma once

// argv[0] is the subcommand's name ("fetch-weights"); options start at argv[1]. Returns the exit status:
// 0 written, 1 failed (one line on stderr), 2 bad usage.
int fetch_weights_command(int argc, char **argv);
