import Foundation

extension Date {
    /// Milliseconds since the Unix epoch, as Kafka timestamps count.
    static var nowMilliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
