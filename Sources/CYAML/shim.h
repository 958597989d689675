// libyaml (Debian: libyaml-dev, pkg-config: yaml-0.1), used only by the protocol generator.
#include <yaml.h>
