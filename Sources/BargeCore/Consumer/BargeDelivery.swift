/// When a ``LargeMessageConsumer`` hands messages to the application.
public enum BargeDelivery: Hashable, Sendable {
    /// Once every chunk arrived and the SHA-256 matched.
    case whenComplete
    /// From the first chunk on: the payload grows as chunks arrive and
    /// ends after the SHA-256 matched, or throws (video playback before
    /// the whole file is there).
    case progressive
}
