@testable import BargeBroker
import Foundation
import KafkaProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite("File regions on TLS connections are read a piece at a time")
struct FileRegionReaderTests {
    /// A file of `size` bytes of a repeating pattern, and a region of it.
    func region(size: Int, in directory: URL, start: Int = 0) throws -> (FileRegion, [UInt8]) {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let path = directory.appendingPathComponent(UUID().uuidString).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let handle = try NIOFileHandle(_deprecatedPath: path)
        return (FileRegion(fileHandle: handle, readerIndex: start, endIndex: size), Array(bytes[start...]))
    }

    func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("region-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    /// Every byte buffer the channel wrote, in order.
    func written(_ channel: EmbeddedChannel) throws -> [ByteBuffer] {
        var buffers: [ByteBuffer] = []
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else {
                Issue.record("a file region reached the socket")
                continue
            }
            buffers.append(buffer)
        }
        return buffers
    }

    @Test("a response's bytes and regions reach the socket as bytes, in order, in pieces of at most 256 KiB")
    func orderAndPieces() throws {
        try withDirectory { directory in
            let channel = EmbeddedChannel(handler: FileRegionReader())
            let (first, firstBytes) = try region(size: 600_000, in: directory, start: 1_000)
            let (second, secondBytes) = try region(size: 10, in: directory)
            let done = channel.eventLoop.makePromise(of: Void.self)
            channel.write(IOData.byteBuffer(ByteBuffer(string: "head")), promise: nil)
            channel.write(IOData.fileRegion(first), promise: done)
            channel.write(IOData.byteBuffer(ByteBuffer(string: "middle")), promise: nil)
            channel.write(IOData.fileRegion(second), promise: nil)
            let tail = channel.write(IOData.byteBuffer(ByteBuffer(string: "tail")))
            channel.flush()
            let buffers = try written(channel)
            #expect(buffers.allSatisfy { $0.readableBytes <= FileRegionReader.pieceSize })
            #expect(buffers.count == 1 + 3 + 1 + 1 + 1, "599,000 bytes take three pieces")
            let all = buffers.flatMap { Array($0.readableBytesView) }
            #expect(all == Array("head".utf8) + firstBytes + Array("middle".utf8) + secondBytes + Array("tail".utf8))
            try done.futureResult.wait()
            try tail.wait()
            try first.fileHandle.close()
            try second.fileHandle.close()
            _ = try channel.finish()
        }
    }

    @Test("nothing is read while the channel is not writable; the rest follows when it is again")
    func waitsForWritability() throws {
        try withDirectory { directory in
            let channel = EmbeddedChannel(handler: FileRegionReader())
            let (region, bytes) = try region(size: 700_000, in: directory)
            channel.isWritable = false
            let done = channel.write(IOData.fileRegion(region))
            let after = channel.write(IOData.byteBuffer(ByteBuffer(string: "after")))
            channel.flush()
            #expect(try written(channel).isEmpty, "no piece is read for a socket that takes nothing")
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
            let buffers = try written(channel)
            #expect(buffers.flatMap { Array($0.readableBytesView) } == bytes + Array("after".utf8))
            try done.wait()
            try after.wait()
            try region.fileHandle.close()
            _ = try channel.finish()
        }
    }

    @Test("bytes written and not flushed wait for the flush, behind a region")
    func unflushedWritesWait() throws {
        try withDirectory { directory in
            let channel = EmbeddedChannel(handler: FileRegionReader())
            let (region, bytes) = try region(size: 1_000, in: directory)
            channel.write(IOData.fileRegion(region), promise: nil)
            channel.flush()
            channel.write(IOData.byteBuffer(ByteBuffer(string: "later")), promise: nil)
            #expect(try written(channel).flatMap { Array($0.readableBytesView) } == bytes)
            channel.flush()
            #expect(try written(channel).flatMap { Array($0.readableBytesView) } == Array("later".utf8))
            try region.fileHandle.close()
            _ = try channel.finish()
        }
    }

    @Test("a segment file shorter than its region fails the write and closes the connection")
    func truncatedFile() throws {
        try withDirectory { directory in
            let channel = EmbeddedChannel(handler: FileRegionReader())
            let (region, _) = try region(size: 300_000, in: directory)
            let short = FileRegion(fileHandle: region.fileHandle, readerIndex: 0, endIndex: 400_000)
            let done = channel.write(IOData.fileRegion(short))
            let after = channel.write(IOData.byteBuffer(ByteBuffer(string: "after")))
            channel.flush()
            #expect(throws: KafkaProtocolError.self) { try done.wait() }
            #expect(throws: ChannelError.self) { try after.wait() }
            #expect(!channel.isActive)
            try region.fileHandle.close()
        }
    }

    @Test("a connection closed in the middle of a region fails what is still queued")
    func closedMidRegion() throws {
        try withDirectory { directory in
            let channel = EmbeddedChannel(handler: FileRegionReader())
            let (region, _) = try region(size: 700_000, in: directory)
            channel.isWritable = false
            let done = channel.write(IOData.fileRegion(region))
            channel.flush()
            _ = try channel.finish(acceptAlreadyClosed: true)
            #expect(throws: ChannelError.self) { try done.wait() }
            try region.fileHandle.close()
        }
    }
}
