import KafkaProtocol
import Logging
import NIOCore

/// Reads a request frame's header and hands the body to the handler of its
/// API: the one place where APIs are routed.
struct RequestDispatcher: Sendable {
    private let handlers: [KafkaApiKey: AnyRequestHandler]
    /// Every API served with its versions, as ApiVersions lists them.
    private let advertised: [(KafkaApiKey, ClosedRange<Int16>)]
    private let broker: BrokerState
    private let logger: Logger

    init(broker: BrokerState, logger: Logger) {
        self.broker = broker
        self.logger = logger
        var handlers = Self.dataHandlers
        let advertised = (handlers.map { ($0.apiKey, $0.versions) } + [(ApiVersionsHandler.apiKey, ApiVersionsHandler.versions)])
            .sorted { $0.0.rawValue < $1.0.rawValue }
        self.advertised = advertised
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
        AnyRequestHandler(DescribeLogDirsHandler()),
        AnyRequestHandler(AlterConfigsHandler()),
        AnyRequestHandler(IncrementalAlterConfigsHandler()),
        AnyRequestHandler(DeleteRecordsHandler()),
        AnyRequestHandler(CreatePartitionsHandler()),
        AnyRequestHandler(InitProducerIdHandler()),
        AnyRequestHandler(FindCoordinatorHandler()),
        AnyRequestHandler(JoinGroupHandler()),
        AnyRequestHandler(SyncGroupHandler()),
        AnyRequestHandler(HeartbeatHandler()),
        AnyRequestHandler(LeaveGroupHandler()),
        AnyRequestHandler(OffsetCommitHandler()),
        AnyRequestHandler(OffsetFetchHandler()),
        AnyRequestHandler(ListGroupsHandler()),
        AnyRequestHandler(DescribeGroupsHandler()),
        AnyRequestHandler(DeleteGroupsHandler()),
        AnyRequestHandler(OffsetDeleteHandler()),
        AnyRequestHandler(AddPartitionsToTxnHandler()),
        AnyRequestHandler(AddOffsetsToTxnHandler()),
        AnyRequestHandler(EndTxnHandler()),
        AnyRequestHandler(TxnOffsetCommitHandler()),
        AnyRequestHandler(DescribeTransactionsHandler()),
        AnyRequestHandler(ListTransactionsHandler()),
        AnyRequestHandler(DescribeProducersHandler()),
    ]

    /// Serves one request.
    func dispatch(_ request: KafkaInboundRequest, clientHost: String) async -> DispatchResult {
        switch request {
        case .frame(let frame, _):
            return await dispatch(frame, clientHost: clientHost)
        case .spooledProduce(let header, let produce, let spooled):
            let context = RequestContext(header: header, clientHost: clientHost, broker: broker, logger: logger)
            return await respond(with: ProduceHandler(spooled: spooled), to: produce, context: context)
        }
    }

    /// Serves one request frame (without its size prefix).
    private func dispatch(_ frame: ByteBuffer, clientHost: String) async -> DispatchResult {
        if let answer = answerNewerApiVersions(frame) { return answer }
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
            return .close(reason: "\(header.apiKey) v\(header.apiVersion) is not supported (supported: \(handler.versions))")
        }
        let context = RequestContext(header: header, clientHost: clientHost, broker: broker, logger: logger)
        return await handler.serve(body, context)
    }

    /// An ApiVersions request of a version above ours is answered from its
    /// first eight bytes (key, version, correlation id), whatever header
    /// layout the client used, so that any client can learn our ranges.
    private func answerNewerApiVersions(_ frame: ByteBuffer) -> DispatchResult? {
        guard let key = frame.getInteger(at: frame.readerIndex, as: Int16.self), key == KafkaApiKey.apiVersions.rawValue,
              let version = frame.getInteger(at: frame.readerIndex + 2, as: Int16.self),
              version > ApiVersionsHandler.versions.upperBound,
              let correlationId = frame.getInteger(at: frame.readerIndex + 4, as: Int32.self) else { return nil }
        return ApiVersionsHandler.unsupportedVersionResponse(correlationId: correlationId, ranges: advertised)
    }
}
