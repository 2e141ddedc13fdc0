import FileIO
import Foundation

/// An open file shared by the calls of one operation (a `put`'s writes, a
/// `get`'s reads), closed when the last reference to it goes. Used only on
/// NIO's blocking thread pool.
final class OpenFile: Sendable {
    let handle: any FileHandleIO

    init(_ handle: any FileHandleIO) {
        self.handle = handle
    }

    deinit { handle.close() }
}

extension ObjectStoreError {
    /// The error for a file operation that failed while trying to `action` `path`.
    ///
    /// ENOENT is `.notFound`, EACCES and EPERM are `.accessDenied`, anything else `.io`;
    /// the message names the path and the system's explanation.
    static func file(_ error: FileIOError, _ action: String, path: String, key: ObjectKey?) -> ObjectStoreError {
        let kind: Kind = error.isNotFound ? .notFound : error.isAccessDenied ? .accessDenied : .io
        return ObjectStoreError(kind, key: key?.rawValue, "cannot \(action) \(path): \(error.reason)")
    }
}

extension FileStatus {
    /// The description of the object `key` whose file has this status.
    func objectInfo(key: ObjectKey) -> ObjectInfo {
        ObjectInfo(key: key, size: size, lastModified: Date(timeIntervalSince1970: modificationTime))
    }
}
