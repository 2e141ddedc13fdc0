@testable import KafkaProtocol
import Testing

/// Published CRC-32C check values: RFC 3720 (iSCSI) appendix B.4 and the
/// common "123456789" check value.
@Suite("CRC-32C")
struct CRC32CTests {
    @Test("matches the published check values")
    func publishedVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("feeding in pieces equals feeding at once")
    func incremental() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 7, 8, 9, 4_095, 9_999] {
            var crc = CRC32C()
            crc.update(data[..<split])
            crc.update(data[split...])
            #expect(crc.value == CRC32C.checksum(data))
        }
    }

    @Test("the CPU's CRC instructions and the tables agree at every length and alignment")
    func hardwareMatchesTables() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<4_200).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        for start in 0..<9 {
            for length in [0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1_000, 4_096] where start + length <= data.count {
                data[start..<(start + length)].withUnsafeBytes { bytes in
                    var hardware = CRC32C()
                    hardware.update(bytes)
                    var tables = CRC32C()
                    tables.updateWithTables(bytes)
                    #expect(hardware.value == tables.value, "bytes \(start)..<\(start + length)")
                }
            }
        }
        // This machine has the instructions, so the comparison above compared both ways (x86-64 and ARMv8 CI machines do).
        #if arch(x86_64)
        #expect(CRC32C.hasHardware)
        #endif
    }
}
