import Foundation
import NIOCore

extension S3ObjectStore {
    /// Stores `body` under `key`: in one PUT when it has at most `singlePutThreshold` bytes,
    /// otherwise as a multipart upload with up to `uploadParallelism` parts in flight, which
    /// is aborted when anything fails or the task is cancelled.
    public func put<Body: AsyncSequence & Sendable>(
        _ key: ObjectKey, body: Body, options: ObjectPutOptions
    ) async throws -> ObjectInfo where Body.Element == ByteBuffer {
        var reader = S3BodyReader(body.makeAsyncIterator(), key: key.rawValue, expectedSize: options.expectedSize)
        let first = try await reader.read(configuration.singlePutThreshold)
        var fitsOneRequest = first.readableBytes < configuration.singlePutThreshold
        if !fitsOneRequest { fitsOneRequest = try await reader.isAtEnd() }
        if fitsOneRequest {
            try reader.verifyComplete()
            return try await putSingle(key, body: first, contentType: options.contentType)
        }
        let upload = try await S3MultipartUpload.create(
            transport: transport, key: prefix + key.rawValue, callerKey: key.rawValue, contentType: options.contentType
        )
        do {
            let partSize = configuration.partSize(forExpectedSize: options.expectedSize)
            let parts = try await uploadParts(upload, first: first, partSize: partSize, reader: &reader)
            try reader.verifyComplete()
            let eTag = try await upload.complete(parts)
            return ObjectInfo(key: key, size: reader.bytesRead, lastModified: Date(), eTag: eTag)
        } catch {
            await upload.abort(logger: logger)
            throw error
        }
    }

    private func putSingle(_ key: ObjectKey, body: ByteBuffer, contentType: String?) async throws -> ObjectInfo {
        let request = S3Request(
            method: .PUT, key: prefix + key.rawValue,
            headers: contentType.map { [(name: "content-type", value: $0)] } ?? [], body: body, callerKey: key.rawValue
        )
        let response = try await transport.send(request).head
        let date = response.headers.first(name: "date").flatMap(S3Dates.rfc1123) ?? Date()
        return ObjectInfo(key: key, size: Int64(body.readableBytes), lastModified: date, eTag: response.headers.first(name: "etag"))
    }

    /// Uploads `first` and the rest of `reader` as parts, keeping at most `uploadParallelism`
    /// parts in memory: the next part is read while the others upload, once a slot is free.
    private func uploadParts<Base: AsyncIteratorProtocol>(
        _ upload: S3MultipartUpload, first: ByteBuffer, partSize: Int, reader: inout S3BodyReader<Base>
    ) async throws -> [S3MultipartUpload.Part] where Base.Element == ByteBuffer {
        let parallelism = configuration.uploadParallelism
        return try await withThrowingTaskGroup(of: S3MultipartUpload.Part.self) { group in
            var uploaded: [S3MultipartUpload.Part] = []
            var inFlight = 0
            var number = 1
            var part = first
            while part.readableBytes > 0 {
                guard number <= S3Configuration.maximumPartCount else {
                    throw ObjectStoreError(.badBody, key: upload.callerKey, """
                        the body is larger than \(S3Configuration.maximumPartCount) parts of \(partSize) bytes; \
                        raise the S3 part size
                        """)
                }
                group.addTask { [part, number] in try await upload.uploadPart(number, part) }
                inFlight += 1
                if part.readableBytes < (number == 1 ? configuration.singlePutThreshold : partSize) { break }
                if inFlight == parallelism, let done = try await group.next() {
                    uploaded.append(done)
                    inFlight -= 1
                }
                part = try await reader.read(partSize)
                number += 1
            }
            while let done = try await group.next() { uploaded.append(done) }
            return uploaded.sorted { $0.number < $1.number }
        }
    }
}
