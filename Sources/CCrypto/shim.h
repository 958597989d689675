// libcrypto's SHA-1, used for the Sec-WebSocket-Accept header (RFC 6455 §4.2.2).
#include <openssl/sha.h>
// scrypt password hashing (EVP_PBE_scrypt), the system RNG (RAND_bytes) and constant-time
// comparison (CRYPTO_memcmp), used by NoexAuth.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
