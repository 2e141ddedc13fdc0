/// What an S3 error answer says: its status, and the `<Error><Code>`, `<Message>` and
/// `<RequestId>` of its body when it has one.
struct S3ErrorResponse: Sendable, Hashable {
    var status: Int
    var code: String?
    var message: String?
    var requestID: String?

    /// Reads an error answer; a body that is not an S3 error document leaves the fields nil.
    init(status: Int, body: [UInt8]) {
        self.status = status
        guard let root = try? S3XML.parse(body), root.name == "Error" else { return }
        code = root.text(of: "Code")
        message = root.text(of: "Message")
        requestID = root.text(of: "RequestId")
    }

    /// The error callers see for this answer to `operation` (such as `GET /bucket/key`).
    ///
    /// 404 is `.notFound` (a missing bucket is `.configuration`), 416 `.invalidRange`,
    /// 403 `.accessDenied`, 5xx, 429, SlowDown and RequestTimeout `.unavailable`,
    /// a redirect (wrong region or endpoint) `.configuration`, anything else `.badResponse`.
    func error(operation: String, key: String?) -> ObjectStoreError {
        var text = "\(operation) answered \(status)"
        if let code { text += " \(code)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        if let requestID { text += " (request id \(requestID))" }
        return ObjectStoreError(kind, key: key, text)
    }

    var kind: ObjectStoreError.Kind {
        switch (status, code) {
        case (_, "NoSuchBucket"): return .configuration
        case (_, "SlowDown"), (_, "RequestTimeout"), (_, "InternalError"), (_, "ServiceUnavailable"): return .unavailable
        case (404, _), (_, "NoSuchKey"): return .notFound
        case (416, _), (_, "InvalidRange"): return .invalidRange
        case (403, _): return .accessDenied
        case (301, _), (307, _), (_, "PermanentRedirect"), (_, "AuthorizationHeaderMalformed"): return .configuration
        case (429, _), (500...599, _): return .unavailable
        default: return .badResponse
        }
    }
}
