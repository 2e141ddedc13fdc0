import KafkaProtocol
import Logging
import NIOCore

/// Reads a request frame's header and hands the body to the handler of its
/// API: the one place where APIs are routed.
struct RequestDispatcher: Sendable {
    private let handlers: [KafkaApiKey: AnyRequestHandler]
    private let broker: BrokerState
    private let logger: Logger

    init(broker: BrokerState, logger: Logger) {
        self.broker = broker
        self.logger = logger
        var handlers = Self.dataHandlers
        let advertised = (handlers.map { ($0.apiKey, $0.versions) } + [(ApiVersionsHandler.apiKey, ApiVersionsHandler.versions)])
            .sorted { $0.0.rawValue < $1.0.rawValue }
        handlers.append(AnyRequestHandler(ApiVersionsHandler(advertised: advertised)))
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.apiKey, $0) })
    }

    /// Every handler but ApiVersions, which is built from this list.
    private static let dataHandlers: [AnyRequestHandler] = [
        AnyRequestHandler(MetadataHandler()),
        AnyRequestHandler(ProduceHandler()),
        AnyRequestHandler(FetchHandler()),
        AnyRequestHandler(ListOffsetsHandler()),
        AnyRequestHandler(CreateTopicsHandler()),
        AnyRequestHandler(DeleteTopicsHandler()),
        AnyRequestHandler(DescribeConfigsHandler()),
        AnyRequestHandler(InitProducerIdHandler()),
    ]

    /// Serves one request frame (without its size prefix).
    func dispatch(_ frame: ByteBuffer) async -> DispatchResult {
        var body = frame
        let header: KafkaRequestHeader
        do {
            header = try KafkaRequestHeader(from: &body)
        } catch {
            return .close(reason: "malformed request header: \(error)")
        }
        guard let handler = handlers[header.apiKey] else {
            return .close(reason: "unsupported \(header.apiKey) (correlation id \(header.correlationId))")
        }
        guard handler.versions.contains(header.apiVersion) else {
            if header.apiKey == .apiVersions, let handler = handlers[.apiVersions] {
                return ApiVersionsHandler.unsupportedVersionResponse(header: header, handler: handler, all: Array(handlers.values))
            }
            return .close(reason: "\(header.apiKey) v\(header.apiVersion) is not supported (supported: \(handler.versions))")
        }
        let context = RequestContext(header: header, broker: broker, logger: logger)
        return await handler.serve(body, context)
    }
}
