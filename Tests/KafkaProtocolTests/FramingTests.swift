import KafkaProtocol
import NIOCore
import Testing

@Suite("Frames and headers")
struct FramingTests {
    @Test("a frame is returned only when whole, without moving the reader index before")
    func partialFrames() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(5))
        buffer.writeBytes([1, 2, 3])
        #expect(try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 100) == nil)
        #expect(buffer.readerIndex == 0)
        buffer.writeBytes([4, 5, 6])
        let frame = try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 100)
        #expect(frame == ByteBuffer(bytes: [1, 2, 3, 4, 5]))
        #expect(buffer.readableBytes == 1)
    }

    @Test("negative and oversized frame sizes are refused before allocating", arguments: [Int32(-1), Int32.min, 101, Int32.max])
    func badSizes(size: Int32) {
        var buffer = ByteBuffer()
        buffer.writeInteger(size)
        #expect { try KafkaFrameDecoder.nextFrame(in: &buffer, maximumFrameSize: 100) } throws: {
            ($0 as? KafkaProtocolError)?.kind == .frameTooLarge
        }
    }

    @Test("request headers use v1 or v2 as the API version calls for")
    func requestHeaders() throws {
        for (key, version, flexible) in [(KafkaApiKey.metadata, Int16(8), false), (.metadata, 9, true), (.apiVersions, 3, true), (.produce, 8, false)] {
            let header = KafkaRequestHeader(apiKey: key, apiVersion: version, correlationId: 77, clientId: "client")
            var frame = try KafkaFrame.request(MetadataRequest(), header: header)
            _ = frame.readInteger(as: Int32.self)
            let body = frame
            let parsed = try KafkaRequestHeader(from: &frame)
            #expect(parsed == header)
            #expect(key.requestHeaderVersion(for: version) == (flexible ? 2 : 1))
            #expect(body.readableBytes > frame.readableBytes)
        }
    }

    @Test("ApiVersions responses always use header v0")
    func apiVersionsHeader() {
        #expect(KafkaApiKey.apiVersions.responseHeaderVersion(for: 3) == 0)
        #expect(KafkaApiKey.metadata.responseHeaderVersion(for: 9) == 1)
        #expect(KafkaApiKey.fetch.responseHeaderVersion(for: 11) == 0)
    }

    @Test("a response frame's size counts its bytes, and it decodes back")
    func responseFrame() throws {
        var response = ApiVersionsResponse()
        var entry = ApiVersionsResponse.ApiVersion()
        entry.apiKey = 18
        entry.maxVersion = 3
        response.apiKeys = [entry]
        let encoder = try KafkaFrame.response(response, apiKey: .apiVersions, version: 3, correlationId: 9)
        var frame = encoder.buffer
        #expect(frame.readInteger(as: Int32.self) == Int32(frame.readableBytes))
        let decoded = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, from: frame, apiKey: .apiVersions, version: 3)
        #expect(decoded.correlationId == 9)
        #expect(decoded.message == response)
    }
}
