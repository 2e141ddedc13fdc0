/// A librdkafka pointer handed to the thread that uses it; whoever creates
/// it keeps the object alive until that thread is done.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
