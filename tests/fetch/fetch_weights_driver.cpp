// Stands in for `neural-style fetch-weights` in the tests when the CLI is built without it (or not at all).
#include "fetch_weights_command.h"

int main(int argc, char **argv) { return fetch_weights_command(argc, argv); }
