import Glibc
@testable import NoexWebSocket
import Testing

@Suite struct SocketAddressTests {
    /// The hand-written IPv4 formatter gives back what `inet_pton` read, for every octet width.
    @Test(arguments: [
        "0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.100.9", "192.168.1.20", "1.22.133.4", "99.100.101.255",
    ])
    func dottedQuadRoundTrips(_ text: String) throws {
        var address = in_addr()
        #expect(inet_pton(AF_INET, text, &address) == 1)
        #expect(SocketAddress.dottedQuad(UInt32(bigEndian: address.s_addr)) == text)
    }
}
