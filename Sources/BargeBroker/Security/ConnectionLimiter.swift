import NIOConcurrencyHelpers

/// Counts open connections, in all and by client address, against
/// `max.connections` and `max.connections.per.ip`: a connection over either
/// bound is closed as soon as it is accepted, and the broker serves the rest.
final class ConnectionLimiter: Sendable {
    private struct Counts {
        var total = 0
        var byHost: [String: Int] = [:]
    }

    private let config: SecurityConfig
    private let counts = NIOLockedValueBox(Counts())

    init(config: SecurityConfig) {
        self.config = config
    }

    /// Counts a new connection from `host` if both bounds allow it; returns
    /// why not otherwise. A counted connection must be `release`d once closed.
    func admit(host: String) -> String? {
        counts.withLockedValue { counts in
            if counts.total >= config.maxConnections {
                return "max.connections (\(config.maxConnections)) reached"
            }
            let limit = config.connectionLimit(forHost: host)
            if counts.byHost[host, default: 0] >= limit {
                return "max.connections.per.ip (\(limit)) reached for \(host)"
            }
            counts.total += 1
            counts.byHost[host, default: 0] += 1
            return nil
        }
    }

    /// Forgets a closed connection.
    func release(host: String) {
        counts.withLockedValue { counts in
            counts.total -= 1
            let remaining = counts.byHost[host, default: 1] - 1
            counts.byHost[host] = remaining > 0 ? remaining : nil
        }
    }
}
