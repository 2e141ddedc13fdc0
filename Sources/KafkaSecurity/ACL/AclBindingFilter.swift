/// Which ACL bindings a DescribeAcls request lists or a DeleteAcls request
/// removes: Kafka's `AclBindingFilter` (a `ResourcePatternFilter` and an
/// `AccessControlEntryFilter`), with the same matching rules.
///
/// `nil` strings and the ANY values match every binding. Names, principals and
/// hosts are compared code point for code point, as Kafka compares them.
public struct AclBindingFilter: Sendable, Equatable {
    /// The resource type to match, or ANY.
    public var resourceType: AclResourceType
    /// The resource name to match, or `nil` for every name. Its meaning depends on ``patternType``.
    public var resourceName: String?
    /// LITERAL or PREFIXED: bindings of that pattern type named exactly ``resourceName``.
    /// ANY: bindings of every pattern type named exactly ``resourceName``.
    /// MATCH: the bindings that apply to the resource ``resourceName``, that is LITERAL
    /// bindings with that name or `*`, and PREFIXED bindings whose name is a prefix of it.
    public var patternType: AclPatternType
    /// The principal to match exactly (`User:alice`; `User:*` matches only bindings for
    /// `User:*`), or `nil` for every principal.
    public var principal: String?
    /// The host to match exactly (`*` matches only bindings for `*`), or `nil` for every host.
    public var host: String?
    /// The operation to match, or ANY. ALL matches only bindings for ALL.
    public var operation: AclOperation
    /// The permission to match, or ANY.
    public var permission: AclPermissionType

    /// A filter with these fields; every one left out matches everything.
    public init(
        resourceType: AclResourceType = .any,
        resourceName: String? = nil,
        patternType: AclPatternType = .any,
        principal: String? = nil,
        host: String? = nil,
        operation: AclOperation = .any,
        permission: AclPermissionType = .any
    ) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// The filter that matches every binding.
    public static let any = AclBindingFilter()

    /// Whether `binding` is one this filter selects, by Kafka's rules: the
    /// resource type is ANY or equal; the pattern type is ANY, MATCH or equal;
    /// the name is `nil`, or as ``patternType`` describes; the principal and host
    /// are `nil` or equal; the operation and permission are ANY or equal.
    public func matches(_ binding: AclBinding) -> Bool {
        resourceMatches(binding) && entryMatches(binding)
    }

    /// Checks the filter as DescribeAcls and DeleteAcls requests are checked:
    /// no field may be UNKNOWN.
    ///
    /// - Throws: ``AclError`` of kind ``AclError/Kind/unknownFilterElement`` naming the field.
    public func validate() throws(AclError) {
        let unknownFields = [
            resourceType == .unknown ? "resourceType" : nil,
            patternType == .unknown ? "patternType" : nil,
            operation == .unknown ? "operation" : nil,
            permission == .unknown ? "permissionType" : nil,
        ].compactMap { $0 }
        if !unknownFields.isEmpty {
            throw AclError(
                .unknownFilterElement,
                "Filter contains UNKNOWN elements: \(unknownFields.joined(separator: ", "))"
            )
        }
    }

    /// Kafka's `ResourcePatternFilter.matches`.
    private func resourceMatches(_ binding: AclBinding) -> Bool {
        if resourceType != .any && resourceType != binding.resourceType {
            return false
        }
        if patternType != .any && patternType != .match && patternType != binding.patternType {
            return false
        }
        guard let resourceName else {
            return true
        }
        if patternType == .any || patternType == binding.patternType {
            return resourceName.utf8.elementsEqual(binding.resourceName.utf8)
        }
        // MATCH: the bindings that apply to the resource named `resourceName`.
        switch binding.patternType {
        case .literal:
            return resourceName.utf8.elementsEqual(binding.resourceName.utf8)
                || binding.resourceName.utf8.elementsEqual("*".utf8)
        case .prefixed:
            return resourceName.utf8.starts(with: binding.resourceName.utf8)
        case .unknown, .any, .match:
            return false
        }
    }

    /// Kafka's `AccessControlEntryFilter.matches`.
    private func entryMatches(_ binding: AclBinding) -> Bool {
        if let principal, !principal.utf8.elementsEqual(binding.principal.utf8) {
            return false
        }
        if let host, !host.utf8.elementsEqual(binding.host.utf8) {
            return false
        }
        if operation != .any && operation != binding.operation {
            return false
        }
        return permission == .any || permission == binding.permission
    }
}
