import Logging
import NIOCore

/// One multipart upload in progress: CreateMultipartUpload, UploadPart, then
/// CompleteMultipartUpload or AbortMultipartUpload.
///
/// Every request is retried on failures that may pass. A CreateMultipartUpload whose answer
/// is lost can leave an upload nobody knows of; a bucket lifecycle rule
/// (`AbortIncompleteMultipartUpload`) removes such leftovers.
struct S3MultipartUpload: Sendable {
    /// An uploaded part, as CompleteMultipartUpload lists it.
    struct Part: Sendable, Hashable {
        var number: Int
        var eTag: String
    }

    let transport: S3Transport
    /// The full S3 key.
    let key: String
    /// The key as the caller named it.
    let callerKey: String
    let uploadID: String

    /// Starts an upload to `key`.
    static func create(transport: S3Transport, key: String, callerKey: String, contentType: String?) async throws -> S3MultipartUpload {
        let request = S3Request(
            method: .POST, key: key, query: [(name: "uploads", value: "")],
            headers: contentType.map { [(name: "content-type", value: $0)] } ?? [], callerKey: callerKey
        )
        let root = try S3XML.parse(try await transport.send(request).body)
        guard root.name == "InitiateMultipartUploadResult", let uploadID = root.text(of: "UploadId"), !uploadID.isEmpty else {
            throw ObjectStoreError(.badResponse, key: callerKey, "\(request.summary) answered no UploadId")
        }
        return S3MultipartUpload(transport: transport, key: key, callerKey: callerKey, uploadID: uploadID)
    }

    /// Uploads part `number` (from 1) and returns its ETag.
    func uploadPart(_ number: Int, _ body: ByteBuffer) async throws -> Part {
        let request = S3Request(
            method: .PUT, key: key,
            query: [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadID)],
            body: body, callerKey: callerKey
        )
        guard let eTag = try await transport.send(request).head.headers.first(name: "etag") else {
            throw ObjectStoreError(.badResponse, key: callerKey, "\(request.summary) answered no ETag for part \(number)")
        }
        return Part(number: number, eTag: eTag)
    }

    /// Makes the object out of `parts` (in ascending order) and returns its ETag.
    func complete(_ parts: [Part]) async throws -> String? {
        var xml = "<CompleteMultipartUpload>"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(Self.escaped(part.eTag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let request = S3Request(
            method: .POST, key: key, query: [(name: "uploadId", value: uploadID)],
            headers: [(name: "content-type", value: "application/xml")], body: ByteBuffer(string: xml), callerKey: callerKey
        )
        let answer = try await transport.send(request) { body throws(ObjectStoreError) in
            // S3 may answer 200 and still fail the completion, with an <Error> document.
            if let root = try? S3XML.parse(body), root.name == "Error" {
                throw S3ErrorResponse(status: 200, body: body).error(operation: request.summary, key: callerKey)
            }
        }
        return (try? S3XML.parse(answer.body))?.text(of: "ETag") ?? answer.head.headers.first(name: "etag")
    }

    /// Abandons the upload so its parts are freed. Best effort: it runs even when the
    /// calling task is cancelled, and a failure is only logged.
    func abort(logger: Logger) async {
        let request = S3Request(method: .DELETE, key: key, query: [(name: "uploadId", value: uploadID)], callerKey: callerKey)
        let transport = transport
        let outcome = await Task { try await transport.send(request) }.result
        if case .failure(let error) = outcome {
            logger.warning("S3 could not abort a multipart upload; its parts stay until a lifecycle rule removes them", metadata: [
                "key": "\(key)", "uploadId": "\(uploadID)", "error": "\(error)",
            ])
        }
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
