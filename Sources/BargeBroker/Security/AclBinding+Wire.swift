import KafkaProtocol
import KafkaSecurity

/// Kafka's ACL fields on the wire (Int8 codes) as KafkaSecurity's types and
/// back, for the broker's handlers and for the clients that send these
/// requests (`barge acls`); a code Kafka does not define reads as UNKNOWN,
/// which validation then refuses.
extension AclBinding {
    /// The binding a CreateAcls creation asks for.
    public init(_ creation: CreateAclsRequest.AclCreation) {
        self.init(
            resourceType: .init(code: creation.resourceType), resourceName: creation.resourceName,
            patternType: .init(code: creation.resourcePatternType), principal: creation.principal, host: creation.host,
            operation: .init(code: creation.operation), permission: .init(code: creation.permissionType))
    }

    /// One ACL of a DescribeAcls resource.
    public init(_ resource: DescribeAclsResponse.DescribeAclsResource, _ acl: DescribeAclsResponse.AclDescription) {
        self.init(
            resourceType: .init(code: resource.resourceType), resourceName: resource.resourceName,
            patternType: .init(code: resource.patternType), principal: acl.principal, host: acl.host,
            operation: .init(code: acl.operation), permission: .init(code: acl.permissionType))
    }

    /// An ACL a DeleteAcls filter removed.
    public init(_ acl: DeleteAclsResponse.DeleteAclsMatchingAcl) {
        self.init(
            resourceType: .init(code: acl.resourceType), resourceName: acl.resourceName, patternType: .init(code: acl.patternType),
            principal: acl.principal, host: acl.host, operation: .init(code: acl.operation), permission: .init(code: acl.permissionType))
    }
}

extension CreateAclsRequest.AclCreation {
    /// The creation of `binding`.
    public init(_ binding: AclBinding) {
        self.init()
        (resourceType, resourceName, resourcePatternType) = (binding.resourceType.rawValue, binding.resourceName, binding.patternType.rawValue)
        (principal, host) = (binding.principal, binding.host)
        (operation, permissionType) = (binding.operation.rawValue, binding.permission.rawValue)
    }
}

extension DeleteAclsResponse.DeleteAclsMatchingAcl {
    /// `binding`, as DeleteAcls lists what it removed.
    public init(_ binding: AclBinding) {
        self.init()
        errorMessage = nil
        (resourceType, resourceName, patternType) = (binding.resourceType.rawValue, binding.resourceName, binding.patternType.rawValue)
        (principal, host) = (binding.principal, binding.host)
        (operation, permissionType) = (binding.operation.rawValue, binding.permission.rawValue)
    }
}

/// The seven filter fields DescribeAcls and DeleteAcls share (same names,
/// same codes), so that one conversion serves both requests.
public protocol AclWireFilter {
    init()
    var resourceTypeFilter: Int8 { get set }
    var resourceNameFilter: String? { get set }
    var patternTypeFilter: Int8 { get set }
    var principalFilter: String? { get set }
    var hostFilter: String? { get set }
    var operation: Int8 { get set }
    var permissionType: Int8 { get set }
}

extension DescribeAclsRequest: AclWireFilter {}
extension DeleteAclsRequest.DeleteAclsFilter: AclWireFilter {}

extension AclBindingFilter {
    /// The filter of a DescribeAcls request or of one DeleteAcls filter.
    public init(_ wire: some AclWireFilter) {
        self.init(
            resourceType: .init(code: wire.resourceTypeFilter), resourceName: wire.resourceNameFilter,
            patternType: .init(code: wire.patternTypeFilter), principal: wire.principalFilter, host: wire.hostFilter,
            operation: .init(code: wire.operation), permission: .init(code: wire.permissionType))
    }
}

extension AclWireFilter {
    /// A DescribeAcls request, or a DeleteAcls filter, for the bindings `filter` matches.
    public init(_ filter: AclBindingFilter) {
        self.init()
        (resourceTypeFilter, resourceNameFilter, patternTypeFilter) = (filter.resourceType.rawValue, filter.resourceName, filter.patternType.rawValue)
        (principalFilter, hostFilter) = (filter.principal, filter.host)
        (operation, permissionType) = (filter.operation.rawValue, filter.permission.rawValue)
    }
}

extension AclResourceType {
    init(code: Int8) { self = Self(rawValue: code) ?? .unknown }
}

extension AclPatternType {
    init(code: Int8) { self = Self(rawValue: code) ?? .unknown }
}

extension AclOperation {
    init(code: Int8) { self = Self(rawValue: code) ?? .unknown }
}

extension AclPermissionType {
    init(code: Int8) { self = Self(rawValue: code) ?? .unknown }
}
