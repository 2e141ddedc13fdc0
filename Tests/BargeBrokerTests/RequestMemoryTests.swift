import FileIO
@testable import BargeBroker
import KafkaProtocol
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@Suite("Request bytes held in memory are bounded (queued.max.request.bytes)")
struct RequestMemoryTests {
    /// A Metadata v1 frame (size prefix included) padded with topic names to about `size` bytes.
    static func metadataFrame(size: Int, correlationId: Int32 = 1) throws -> ByteBuffer {
        var request = MetadataRequest()
        let name = String(repeating: "t", count: 100)
        request.topics = (0..<max(1, size / 102)).map { _ in
            var topic = MetadataRequest.MetadataRequestTopic()
            topic.name = name
            return topic
        }
        return try KafkaFrame.request(request, header: KafkaRequestHeader(apiKey: .metadata, apiVersion: 1, correlationId: correlationId, clientId: "m"))
    }

    final class Harness {
        let pool: RequestMemoryPool
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        let loop = EmbeddedEventLoop()

        init(capacity: Int?) {
            pool = RequestMemoryPool(capacity: capacity)
            threadPool.start()
        }

        deinit { try? threadPool.syncShutdownGracefully() }

        func connection(nonProduceMaximum: Int = 1 << 20) throws -> EmbeddedChannel {
            let limits = KafkaRequestDecoder.Limits(maximumFrameSize: 100 << 20, maximumNonProduceFrameSize: nonProduceMaximum, spoolThreshold: 8 << 20)
            let decoder = KafkaRequestDecoder(limits: limits, spoolDirectory: "/tmp", fileSystem: PosixFileSystem(), threadPool: threadPool, memory: pool)
            let channel = EmbeddedChannel(handler: decoder, loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            return channel
        }
    }

    @Test("a frame that does not fit waits, unread, until a served request gives its bytes back")
    func framesWaitForMemory() throws {
        let harness = Harness(capacity: 100_000)
        let first = try harness.connection()
        let second = try harness.connection()
        let big = try Self.metadataFrame(size: 80_000, correlationId: 1)
        let other = try Self.metadataFrame(size: 30_000, correlationId: 2)
        // The first connection sends half its frame: its size is reserved at once.
        try first.writeInbound(big.getSlice(at: 0, length: 40_000)!)
        #expect(harness.pool.reservedBytes == big.readableBytes - 4)
        #expect(try first.readInbound(as: KafkaInboundRequest.self) == nil)
        // The second's whole frame does not fit beside it: held, not handed on.
        try second.writeInbound(other)
        #expect(try second.readInbound(as: KafkaInboundRequest.self) == nil)
        #expect(harness.pool.reservedBytes == big.readableBytes - 4)
        // The first frame completes, is served and dropped: the second one goes through.
        try first.writeInbound(big.getSlice(at: 40_000, length: big.readableBytes - 40_000)!)
        var served = try #require(try first.readInbound(as: KafkaInboundRequest.self))
        harness.loop.run()
        #expect(try second.readInbound(as: KafkaInboundRequest.self) == nil)
        served = .frame(ByteBuffer(), lease: nil)
        _ = served
        harness.loop.run()
        let next = try #require(try second.readInbound(as: KafkaInboundRequest.self))
        guard case .frame(let frame, let lease) = next else { Issue.record("not a frame"); return }
        #expect(frame.readableBytes == other.readableBytes - 4)
        #expect(lease?.bytes == other.readableBytes - 4)
        #expect(harness.pool.reservedBytes == other.readableBytes - 4)
        _ = try first.finish()
        _ = try second.finish()
    }

    @Test("a closed connection gives back the reservation of its unfinished frame")
    func closedConnectionGivesBack() throws {
        let harness = Harness(capacity: 100_000)
        let quitter = try harness.connection()
        let frame = try Self.metadataFrame(size: 90_000)
        try quitter.writeInbound(frame.getSlice(at: 0, length: 1_000)!)
        #expect(harness.pool.reservedBytes > 0)
        _ = try quitter.finish()
        #expect(harness.pool.reservedBytes == 0)
    }

    @Test("a non-Produce frame above non.produce.request.max.bytes closes the connection before its body arrives")
    func oversizedNonProduce() throws {
        let harness = Harness(capacity: nil)
        let channel = try harness.connection(nonProduceMaximum: 64 * 1024)
        let frame = try Self.metadataFrame(size: 200_000)
        #expect(throws: KafkaProtocolError.self) {
            try channel.writeInbound(frame.getSlice(at: 0, length: 16)!)
        }
        #expect(!channel.isActive)
        #expect(harness.pool.reservedBytes == 0)
    }

    @Test("when nothing is reserved a frame larger than the pool still gets through")
    func largerThanPool() throws {
        let harness = Harness(capacity: 10_000)
        let channel = try harness.connection()
        let frame = try Self.metadataFrame(size: 50_000)
        try channel.writeInbound(frame)
        #expect(try channel.readInbound(as: KafkaInboundRequest.self) != nil)
        _ = try channel.finish()
    }
}
