// Build facts that SwiftPM cannot pass to Swift code: Package.swift turns the
// NOEX_BUILD_COMMIT / NOEX_BUILD_DATE environment variables into defines for this file only,
// so setting them rebuilds one C file, not every Swift module.
#include "noex_build_info.h"

#ifndef NOEX_BUILD_COMMIT
#define NOEX_BUILD_COMMIT ""
#endif
#ifndef NOEX_BUILD_DATE
#define NOEX_BUILD_DATE ""
#endif

const char *noex_build_commit(void) { return NOEX_BUILD_COMMIT; }
const char *noex_build_date(void) { return NOEX_BUILD_DATE; }
