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
    private let login: SaslLogin
    private let logger: Logger

    /// SaslHandshake: v1 only, so that clients follow it with SaslAuthenticate
    /// requests (v0 would send the mechanism's bytes without Kafka framing).
    static let saslHandshakeVersions: ClosedRange<Int16> = 1...1
    static let saslAuthenticateVersions: ClosedRange<Int16> = 0...2

    init(broker: BrokerState, logger: Logger) {
        self.broker = broker
        self.logger = logger
        login = SaslLogin(
            credentials: broker.credentials, enabledMechanisms: broker.config.security.saslEnabledMechanisms,
            failureDelay: .milliseconds(broker.config.security.failedAuthenticationDelayMs), logger: logger)
        var handlers = Self.dataHandlers
        let sasl: [(KafkaApiKey, ClosedRange<Int16>)] = [
            (.saslHandshake, Self.saslHandshakeVersions), (.saslAuthenticate, Self.saslAuthenticateVersions),
        ]
        let advertised = (handlers.map { ($0.apiKey, $0.versions) } + [(ApiVersionsHandler.apiKey, ApiVersionsHandler.versions)] + sasl)
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
        AnyRequestHandler(CreateAclsHandler()),
        AnyRequestHandler(DescribeAclsHandler()),
        AnyRequestHandler(DeleteAclsHandler()),
        AnyRequestHandler(DescribeUserScramCredentialsHandler()),
        AnyRequestHandler(AlterUserScramCredentialsHandler()),
    ]

    /// Serves one request from the connection of `session`; SASL requests change the session.
    func dispatch(_ request: KafkaInboundRequest, session: inout ConnectionSession) async -> DispatchResult {
        switch request {
        case .frame(let frame, _):
            return await dispatch(frame, session: &session)
        case .spooledProduce(let header, let produce, let spooled):
            guard session.isAuthenticated else { return .close(reason: "Produce before authentication") }
            let context = RequestContext(header: header, session: session, broker: broker, logger: logger)
            return await respond(with: ProduceHandler(spooled: spooled), to: produce, context: context)
        }
    }

    /// Serves one request frame (without its size prefix).
    private func dispatch(_ frame: ByteBuffer, session: inout ConnectionSession) async -> DispatchResult {
        if let answer = answerNewerApiVersions(frame) { return answer }
        var body = frame
        let header: KafkaRequestHeader
        do {
            header = try KafkaRequestHeader(from: &body)
        } catch {
            return .close(reason: "malformed request header: \(error)")
        }
        switch header.apiKey {
        case .saslHandshake:
            return await serveSasl(header, body, versions: Self.saslHandshakeVersions) { (request: SaslHandshakeRequest) in
                login.handshake(request, session: &session)
            }
        case .saslAuthenticate:
            return await serveSasl(header, body, versions: Self.saslAuthenticateVersions) { (request: SaslAuthenticateRequest) in
                await login.authenticate(request, session: &session)
            }
        case .apiVersions:
            break
        default:
            guard session.isAuthenticated else {
                return .close(reason: "\(header.apiKey) before authentication (only ApiVersions, SaslHandshake and SaslAuthenticate are served until the client has logged in)")
            }
        }
        guard let handler = handlers[header.apiKey] else {
            return .close(reason: "unsupported \(header.apiKey) (correlation id \(header.correlationId))")
        }
        guard handler.versions.contains(header.apiVersion) else {
            return .close(reason: "\(header.apiKey) v\(header.apiVersion) is not supported (supported: \(handler.versions))")
        }
        let context = RequestContext(header: header, session: session, broker: broker, logger: logger)
        return await handler.serve(body, context)
    }

    /// Decodes a SASL request, lets `serve` answer it, and encodes the answer.
    private func serveSasl<Request: KafkaMessage, Response: KafkaMessage>(
        _ header: KafkaRequestHeader, _ body: ByteBuffer, versions: ClosedRange<Int16>,
        _ serve: (Request) async -> SaslLogin.Outcome<Response>
    ) async -> DispatchResult {
        guard versions.contains(header.apiVersion) else {
            return .close(reason: "\(header.apiKey) v\(header.apiVersion) is not supported (supported: \(versions))")
        }
        var body = body
        let request: Request
        do { request = try Request(from: &body, version: header.apiVersion) } catch {
            return .close(reason: "malformed \(header.apiKey) v\(header.apiVersion) request: \(error)")
        }
        let outcome = await serve(request)
        do {
            let frame = try KafkaFrame.response(
                outcome.response, apiKey: header.apiKey, version: header.apiVersion, correlationId: header.correlationId)
            return outcome.close ? .respondThenClose(frame, reason: "\(header.apiKey) failed") : .respond(frame)
        } catch {
            return .close(reason: "cannot encode the \(header.apiKey) response: \(error)")
        }
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
