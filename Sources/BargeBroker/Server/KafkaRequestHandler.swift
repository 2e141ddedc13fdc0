import KafkaProtocol
import NIOCore

/// Serves one Kafka API: decodes nothing itself, gets the typed request and
/// returns the typed response (or nil when no response is due, as for
/// Produce with acks=0).
protocol KafkaRequestHandler: Sendable {
    associatedtype Request: KafkaMessage
    associatedtype Response: KafkaMessage
    /// The API served.
    static var apiKey: KafkaApiKey { get }
    /// The versions advertised in ApiVersions and accepted.
    static var versions: ClosedRange<Int16> { get }

    func handle(_ request: Request, context: RequestContext) async throws -> Response?
}

/// What the connection does after a request.
enum DispatchResult: Sendable {
    /// Send this response frame.
    case respond(KafkaEncoder)
    /// Send this response frame, then close the connection (a failed login).
    case respondThenClose(KafkaEncoder, reason: String)
    /// Send nothing (acks=0).
    case noResponse
    /// Close the connection, as Kafka does for malformed requests.
    case close(reason: String)
    /// The broker is stopping: close the connection quietly.
    case stopping
}

/// A handler with its types erased, so that one table can hold all of them.
struct AnyRequestHandler: Sendable {
    let apiKey: KafkaApiKey
    let versions: ClosedRange<Int16>
    let serve: @Sendable (ByteBuffer, RequestContext) async -> DispatchResult

    init<Handler: KafkaRequestHandler>(_ handler: Handler) {
        apiKey = Handler.apiKey
        versions = Handler.versions
        serve = { body, context in
            // Like Kafka, bytes after the request are ignored: librdkafka 2.16
            // sends three of them after a Metadata v12 request for all topics.
            let request: Handler.Request
            do {
                var body = body
                request = try Handler.Request(from: &body, version: context.header.apiVersion)
            } catch {
                let start = body.readableBytesView.prefix(64).map { String($0, radix: 16) }.joined(separator: " ")
                return .close(reason: "malformed \(Handler.apiKey) v\(context.header.apiVersion) request: \(error) (body starts: \(start))")
            }
            return await respond(with: handler, to: request, context: context)
        }
    }
}

/// Runs a handler and encodes its response frame; a handler that throws closes the connection.
func respond<Handler: KafkaRequestHandler>(
    with handler: Handler, to request: Handler.Request, context: RequestContext
) async -> DispatchResult {
    do {
        guard let response = try await handler.handle(request, context: context) else { return .noResponse }
        do {
            return .respond(try KafkaFrame.response(
                response, apiKey: Handler.apiKey, version: context.header.apiVersion, correlationId: context.header.correlationId))
        } catch {
            (response as? FetchResponse)?.closeFiles()
            throw error
        }
    } catch is CancellationError {
        return .stopping
    } catch {
        return .close(reason: "\(Handler.apiKey) v\(context.header.apiVersion) failed: \(error)")
    }
}
