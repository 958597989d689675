#ifndef NOEX_BUILD_INFO_H
#define NOEX_BUILD_INFO_H

/// The commit the binary was built from, or "" when the build did not say
/// (set by scripts/release.sh through the NOEX_BUILD_COMMIT environment variable).
const char *noex_build_commit(void);

/// The UTC build date (YYYY-MM-DD), or "" when the build did not say (NOEX_BUILD_DATE).
const char *noex_build_date(void);

#endif
