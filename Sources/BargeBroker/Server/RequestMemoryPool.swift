import NIOConcurrencyHelpers

/// The broker-wide bound on request bytes held in memory, Kafka's
/// `queued.max.request.bytes`: a connection reserves a request frame's size
/// when it learns it (from the size prefix), before reading the body, and
/// the bytes come back when the request has been served. A connection whose
/// reservation does not fit stops reading its socket (TCP pushes back on the
/// client) and is woken when bytes come back; connections that hold a
/// reservation keep reading, so every reserved frame can complete and free
/// its bytes, and the pool never deadlocks. When nothing is reserved any
/// size is granted, so that a frame larger than the pool still gets through.
final class RequestMemoryPool: Sendable {
    private struct State {
        var reserved = 0
        var waiters: [@Sendable () -> Void] = []
    }

    /// The bound in bytes; nil for none.
    let capacity: Int?
    private let state = NIOLockedValueBox(State())

    /// A pool of `capacity` bytes (nil: unbounded, which still counts).
    init(capacity: Int?) {
        self.capacity = capacity
    }

    /// Bytes reserved now.
    var reservedBytes: Int { state.withLockedValue { $0.reserved } }

    /// Reserves `bytes` if they fit and returns the lease that gives them
    /// back; otherwise returns nil and calls `wake` (from the thread that
    /// gives bytes back) the next time bytes come back.
    func reserve(_ bytes: Int, orWake wake: @escaping @Sendable () -> Void) -> RequestMemoryLease? {
        let granted = state.withLockedValue { state -> Bool in
            if let capacity, state.reserved > 0, state.reserved + bytes > capacity {
                state.waiters.append(wake)
                return false
            }
            state.reserved += bytes
            return true
        }
        return granted ? RequestMemoryLease(pool: self, bytes: bytes) : nil
    }

    /// Gives bytes back and wakes every waiting connection (each tries again).
    fileprivate func release(_ bytes: Int) {
        let waiters = state.withLockedValue { state in
            state.reserved -= bytes
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for wake in waiters { wake() }
    }
}

/// Bytes reserved in a `RequestMemoryPool` for one request frame; they go
/// back when the lease is released or dropped (when the served request is).
final class RequestMemoryLease: Sendable {
    private let pool: RequestMemoryPool
    /// The bytes held.
    let bytes: Int

    fileprivate init(pool: RequestMemoryPool, bytes: Int) {
        self.pool = pool
        self.bytes = bytes
    }

    deinit { pool.release(bytes) }
}
