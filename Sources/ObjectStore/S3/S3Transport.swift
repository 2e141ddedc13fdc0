import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Signs, sends and retries S3 requests for one bucket, and turns every failure into an
/// `ObjectStoreError`.
struct S3Transport: Sendable {
    /// The most bytes of a response body read into memory (listings, errors, multipart results).
    static let maximumCollectedBody = 16 * 1024 * 1024
    /// The most bytes of an error body read.
    static let maximumErrorBody = 64 * 1024

    let httpClient: HTTPClient
    let configuration: S3Configuration
    let bucket: String
    let signer: SigV4Signer
    let retrier: S3Retrier
    let logger: Logger

    init(httpClient: HTTPClient, configuration: S3Configuration, bucket: String, retrier: S3Retrier, logger: Logger) {
        self.httpClient = httpClient
        self.configuration = configuration
        self.bucket = bucket
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3", normalizesPath: false)
        self.retrier = retrier
        self.logger = logger
    }

    /// Sends `request` until it succeeds or the retry policy gives up, and returns the
    /// response with its body still to be read; only a 2xx answer is returned.
    func stream(_ request: S3Request) async throws -> HTTPClientResponse {
        try await retrier.run(request.summary, logger: logger) { try await sendOnce(request) }
    }

    /// Sends `request` like `stream`, and reads its whole body (at most 16 MiB) within each
    /// attempt; `inspect` may reject the body (S3 can answer 200 with an error document),
    /// and a retryable rejection is retried like any other failure.
    func send(
        _ request: S3Request,
        inspect: ([UInt8]) throws(ObjectStoreError) -> Void = { _ in }
    ) async throws -> (head: HTTPClientResponse, body: [UInt8]) {
        try await retrier.run(request.summary, logger: logger) {
            let response = try await sendOnce(request)
            let body: [UInt8]
            do {
                body = Array(buffer: try await response.body.collect(upTo: Self.maximumCollectedBody))
            } catch {
                throw transportFailure(error, request)
            }
            try inspect(body)
            return (response, body)
        }
    }

    /// Sends `request` once.
    func sendOnce(_ request: S3Request) async throws -> HTTPClientResponse {
        let address = configuration.address(bucket: bucket, key: request.key)
        var signed = SigV4Request(
            method: request.method.rawValue, path: address.path, query: request.query,
            headers: [(name: "host", value: address.host)] + request.headers
        )
        let payloadHash = request.body.map { SigV4Signer.payloadHash(of: $0) } ?? SigV4Signer.emptyPayloadHash
        signer.sign(&signed, payloadHash: payloadHash, date: Date())

        var http = HTTPClientRequest(url: address.url(encodedQuery: signed.encodedQuery))
        http.method = request.method
        for header in signed.headers { http.headers.add(name: header.name, value: header.value) }
        if let body = request.body { http.body = .bytes(body) }

        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(http, deadline: .now() + TimeAmount(configuration.requestTimeout), logger: logger)
        } catch {
            throw transportFailure(error, request)
        }
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await response.body.collect(upTo: Self.maximumErrorBody)).map { Array(buffer: $0) } ?? []
            throw S3ErrorResponse(status: Int(response.status.code), body: body).error(operation: request.summary, key: request.callerKey)
        }
        return response
    }

    /// The error for a request that got no (complete) answer: cancellation stays
    /// cancellation, everything else may pass and is `.unavailable`.
    func transportFailure(_ error: any Error, _ request: S3Request) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? ObjectStoreError { return error }
        if let error = error as? HTTPClientError, error == .deadlineExceeded {
            return ObjectStoreError(.unavailable, key: request.callerKey, "\(request.summary) to \(configuration.endpoint) timed out after \(configuration.requestTimeout)")
        }
        return ObjectStoreError(.unavailable, key: request.callerKey, "\(request.summary) to \(configuration.endpoint) failed: \(error)")
    }
}
