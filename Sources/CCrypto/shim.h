// libcrypto's SHA-1, used for the Sec-WebSocket-Accept header (RFC 6455 §4.2.2).
#include <openssl/sha.h>
