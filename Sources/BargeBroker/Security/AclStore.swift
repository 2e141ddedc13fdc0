import FileIO
import Foundation
import KafkaSecurity
import NIOConcurrencyHelpers

/// The broker's ACLs, kept in `<log.dirs>/__security/acls.json` (replaced
/// atomically on each change), and the authorizer built from them, which
/// every request is checked with.
final class AclStore: Sendable {
    /// Where the file lives, below the data directory.
    static let fileName = "__security/acls.json"

    private struct Contents: Codable, Sendable {
        var version = 1
        var bindings: [AclBinding] = []
    }

    private struct State: Sendable {
        var bindings: [AclBinding]
        var authorizer: AclAuthorizer
    }

    private let path: String
    private let fileSystem: any FileSystemIO
    private let superUsers: Set<KafkaPrincipal>
    private let allowEveryoneIfNoAclFound: Bool
    private let state: NIOLockedValueBox<State>

    /// Loads the ACLs of the broker in `dataDirectory` (none if the file does not exist).
    init(dataDirectory: String, config: SecurityConfig, fileSystem: any FileSystemIO) throws {
        path = dataDirectory + "/" + Self.fileName
        self.fileSystem = fileSystem
        superUsers = Set(config.superUsers.compactMap { KafkaPrincipal(parsing: $0) })
        allowEveryoneIfNoAclFound = config.allowEveryoneIfNoAclFound
        var bindings: [AclBinding] = []
        if let bytes = try fileSystem.readWholeFile(path, limit: 256 << 20) {
            do {
                bindings = try JSONDecoder().decode(Contents.self, from: Data(bytes)).bindings
            } catch {
                throw BrokerConfigError("\(path) is not an ACL file Barge can read: \(error)")
            }
        }
        state = NIOLockedValueBox(State(bindings: bindings, authorizer: AclAuthorizer(
            bindings: bindings, superUsers: superUsers, allowEveryoneIfNoAclFound: allowEveryoneIfNoAclFound)))
    }

    /// The authorizer of the ACLs as they are now.
    var authorizer: AclAuthorizer { state.withLockedValue { $0.authorizer } }

    /// The bindings `filter` matches.
    func bindings(matching filter: AclBindingFilter) -> [AclBinding] {
        state.withLockedValue { $0.bindings.filter(filter.matches) }
    }

    /// Adds bindings (those already there are kept once) and writes the file
    /// durably; on a write failure nothing changes. Blocking: call it on the I/O pool.
    func add(_ bindings: [AclBinding]) throws {
        try update { current in
            var seen = Set(current)
            return current + bindings.filter { seen.insert($0).inserted }
        }
    }

    /// Removes the bindings each filter matches; returns them per filter.
    /// Blocking: call it on the I/O pool.
    func remove(matching filters: [AclBindingFilter]) throws -> [[AclBinding]] {
        var removed: [[AclBinding]] = []
        try update { current in
            removed = filters.map { filter in current.filter(filter.matches) }
            return current.filter { binding in !filters.contains { $0.matches(binding) } }
        }
        return removed
    }

    private func update(_ change: ([AclBinding]) -> [AclBinding]) throws {
        try state.withLockedValue { state in
            let bindings = change(state.bindings)
            guard bindings != state.bindings else { return }
            try DurableFile(fileSystem: fileSystem).writeJSON(Contents(bindings: bindings), to: path)
            state = State(bindings: bindings, authorizer: AclAuthorizer(
                bindings: bindings, superUsers: superUsers, allowEveryoneIfNoAclFound: allowEveryoneIfNoAclFound))
        }
    }
}
