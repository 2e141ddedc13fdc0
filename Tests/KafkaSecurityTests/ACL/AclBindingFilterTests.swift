import KafkaSecurity
import Testing

@Suite("AclBindingFilter: Kafka's ResourcePatternFilter and AccessControlEntryFilter matching")
struct AclBindingFilterTests {
    /// Bindings of every pattern shape around the name `foobar`.
    private let literalFoobar = acl(.allow, .read, "foobar")
    private let literalFoo = acl(.allow, .read, "foo")
    private let literalWildcard = acl(.allow, .read, "*")
    private let literalFoobarx = acl(.allow, .read, "foobarx")
    private let prefixedFoobar = acl(.allow, .read, "foobar", .prefixed)
    private let prefixedFoo = acl(.allow, .read, "foo", .prefixed)
    private let prefixedF = acl(.allow, .read, "f", .prefixed)
    private let prefixedFoobarx = acl(.allow, .read, "foobarx", .prefixed)
    private let prefixedBar = acl(.allow, .read, "bar", .prefixed)
    private let prefixedWildcard = acl(.allow, .read, "*", .prefixed)
    private let groupFoobar = acl(.allow, .read, "foobar", type: .group)

    private var all: [AclBinding] {
        [literalFoobar, literalFoo, literalWildcard, literalFoobarx, prefixedFoobar, prefixedFoo, prefixedF,
         prefixedFoobarx, prefixedBar, prefixedWildcard, groupFoobar]
    }

    private func selected(_ filter: AclBindingFilter) -> [AclBinding] {
        all.filter(filter.matches)
    }

    @Test("the ANY filter matches every binding")
    func anyFilter() {
        #expect(selected(.any) == all)
        #expect(AclBindingFilter.any == AclBindingFilter())
        #expect(AclBindingFilter.any.resourceType == .any)
        #expect(AclBindingFilter.any.patternType == .any)
        #expect(AclBindingFilter.any.operation == .any)
        #expect(AclBindingFilter.any.permission == .any)
        #expect(AclBindingFilter.any.resourceName == nil)
        #expect(AclBindingFilter.any.principal == nil)
        #expect(AclBindingFilter.any.host == nil)
    }

    @Test("the resource type is ANY or exact")
    func resourceType() {
        #expect(selected(AclBindingFilter(resourceType: .group)) == [groupFoobar])
        #expect(selected(AclBindingFilter(resourceType: .topic)).count == all.count - 1)
        #expect(selected(AclBindingFilter(resourceType: .cluster)).isEmpty)
        #expect(selected(AclBindingFilter(resourceType: .unknown)).isEmpty)
    }

    @Test("LITERAL with a name matches only literal bindings with exactly that name")
    func literalWithName() {
        let filter = AclBindingFilter(resourceType: .topic, resourceName: "foobar", patternType: .literal)
        #expect(selected(filter) == [literalFoobar])
        let wildcard = AclBindingFilter(resourceType: .topic, resourceName: "*", patternType: .literal)
        #expect(selected(wildcard) == [literalWildcard])
    }

    @Test("PREFIXED with a name matches only prefixed bindings with exactly that name")
    func prefixedWithName() {
        let filter = AclBindingFilter(resourceType: .topic, resourceName: "foobar", patternType: .prefixed)
        #expect(selected(filter) == [prefixedFoobar])
        let foo = AclBindingFilter(resourceName: "foo", patternType: .prefixed)
        #expect(selected(foo) == [prefixedFoo])
    }

    @Test("LITERAL or PREFIXED without a name matches every binding of that pattern type")
    func patternTypeWithoutName() {
        #expect(selected(AclBindingFilter(patternType: .literal)) == [literalFoobar, literalFoo, literalWildcard, literalFoobarx, groupFoobar])
        #expect(selected(AclBindingFilter(patternType: .prefixed)) == [prefixedFoobar, prefixedFoo, prefixedF, prefixedFoobarx, prefixedBar, prefixedWildcard])
    }

    @Test("ANY with a name matches bindings of every pattern type with exactly that name")
    func anyWithName() {
        let filter = AclBindingFilter(resourceType: .topic, resourceName: "foobar", patternType: .any)
        #expect(selected(filter) == [literalFoobar, prefixedFoobar])
        let wildcard = AclBindingFilter(resourceName: "*", patternType: .any)
        #expect(selected(wildcard) == [literalWildcard, prefixedWildcard])
        let everyType = AclBindingFilter(resourceType: .any, resourceName: "foobar", patternType: .any)
        #expect(selected(everyType) == [literalFoobar, prefixedFoobar, groupFoobar])
    }

    @Test("MATCH with a name matches the bindings that apply to that resource")
    func matchWithName() {
        let filter = AclBindingFilter(resourceType: .topic, resourceName: "foobar", patternType: .match)
        #expect(selected(filter) == [literalFoobar, literalWildcard, prefixedFoobar, prefixedFoo, prefixedF])
        let foo = AclBindingFilter(resourceType: .topic, resourceName: "foo", patternType: .match)
        #expect(selected(foo) == [literalFoo, literalWildcard, prefixedFoo, prefixedF])
        let other = AclBindingFilter(resourceType: .topic, resourceName: "zzz", patternType: .match)
        #expect(selected(other) == [literalWildcard])
        let everyType = AclBindingFilter(resourceName: "foobar", patternType: .match)
        #expect(selected(everyType) == [literalFoobar, literalWildcard, prefixedFoobar, prefixedFoo, prefixedF, groupFoobar])
    }

    @Test("MATCH with the name * matches literal * and prefixed patterns of *")
    func matchWildcardName() {
        let filter = AclBindingFilter(resourceType: .topic, resourceName: "*", patternType: .match)
        #expect(selected(filter) == [literalWildcard, prefixedWildcard])
    }

    @Test("MATCH without a name matches every binding")
    func matchWithoutName() {
        #expect(selected(AclBindingFilter(patternType: .match)) == all)
        #expect(selected(AclBindingFilter(resourceType: .topic, patternType: .match)).count == all.count - 1)
    }

    @Test("names are case-sensitive and compared code point for code point")
    func exactNames() {
        #expect(!AclBindingFilter(resourceName: "FOOBAR", patternType: .literal).matches(literalFoobar))
        #expect(!AclBindingFilter(resourceName: "FOOBAR", patternType: .match).matches(prefixedFoo))
        let composed = acl(.allow, .read, "caf\u{E9}")
        #expect(AclBindingFilter(resourceName: "caf\u{E9}", patternType: .literal).matches(composed))
        #expect(!AclBindingFilter(resourceName: "cafe\u{301}", patternType: .literal).matches(composed))
        #expect(!AclBindingFilter(resourceName: "cafe\u{301}", patternType: .any).matches(composed))
        // A prefix of the code points is a prefix, even inside what Swift counts as one character.
        let prefixedCafe = acl(.allow, .read, "cafe", .prefixed)
        #expect(AclBindingFilter(resourceName: "cafe\u{301}", patternType: .match).matches(prefixedCafe))
        #expect(!AclBindingFilter(resourceName: "caf\u{E9}", patternType: .match).matches(prefixedCafe))
    }

    @Test("a principal matches exactly; User:* is a name like any other")
    func principal() {
        let forAlice = acl(.allow, .read, "t")
        let forBob = acl(.allow, .read, "t", principal: "User:bob")
        let forEveryone = acl(.allow, .read, "t", principal: "User:*")
        let bindings = [forAlice, forBob, forEveryone]
        #expect(bindings.filter(AclBindingFilter(principal: "User:alice").matches) == [forAlice])
        #expect(bindings.filter(AclBindingFilter(principal: "User:*").matches) == [forEveryone])
        #expect(bindings.filter(AclBindingFilter(principal: "User:ALICE").matches).isEmpty)
        #expect(bindings.filter(AclBindingFilter(principal: nil).matches) == bindings)
    }

    @Test("a host matches exactly; * is a host like any other")
    func host() {
        let anyHost = acl(.allow, .read, "t")
        let oneHost = acl(.allow, .read, "t", host: "10.0.0.1")
        let bindings = [anyHost, oneHost]
        #expect(bindings.filter(AclBindingFilter(host: "10.0.0.1").matches) == [oneHost])
        #expect(bindings.filter(AclBindingFilter(host: "*").matches) == [anyHost])
        #expect(bindings.filter(AclBindingFilter(host: "10.0.0.2").matches).isEmpty)
        #expect(bindings.filter(AclBindingFilter(host: nil).matches) == bindings)
    }

    @Test("the operation is ANY or exact: ALL is not a wildcard in a filter, nor is implication applied")
    func operation() {
        let read = acl(.allow, .read, "t")
        let all = acl(.allow, .all, "t")
        let describe = acl(.allow, .describe, "t")
        let bindings = [read, all, describe]
        #expect(bindings.filter(AclBindingFilter(operation: .read).matches) == [read])
        #expect(bindings.filter(AclBindingFilter(operation: .all).matches) == [all])
        #expect(bindings.filter(AclBindingFilter(operation: .describe).matches) == [describe])
        #expect(bindings.filter(AclBindingFilter(operation: .write).matches).isEmpty)
        #expect(bindings.filter(AclBindingFilter(operation: .any).matches) == bindings)
    }

    @Test("the permission is ANY or exact")
    func permission() {
        let allow = acl(.allow, .read, "t")
        let deny = acl(.deny, .read, "t")
        #expect([allow, deny].filter(AclBindingFilter(permission: .allow).matches) == [allow])
        #expect([allow, deny].filter(AclBindingFilter(permission: .deny).matches) == [deny])
        #expect([allow, deny].filter(AclBindingFilter(permission: .any).matches) == [allow, deny])
    }

    @Test("every field must match at once")
    func allFields() {
        let binding = acl(.deny, .write, "orders", .prefixed, principal: "User:bob", host: "10.0.0.9")
        let exact = AclBindingFilter(
            resourceType: .topic, resourceName: "orders", patternType: .prefixed,
            principal: "User:bob", host: "10.0.0.9", operation: .write, permission: .deny
        )
        #expect(exact.matches(binding))
        var filter = exact
        filter.resourceType = .group
        #expect(!filter.matches(binding))
        filter = exact
        filter.resourceName = "order"
        #expect(!filter.matches(binding))
        filter = exact
        filter.patternType = .literal
        #expect(!filter.matches(binding))
        filter = exact
        filter.principal = "User:alice"
        #expect(!filter.matches(binding))
        filter = exact
        filter.host = "10.0.0.1"
        #expect(!filter.matches(binding))
        filter = exact
        filter.operation = .read
        #expect(!filter.matches(binding))
        filter = exact
        filter.permission = .allow
        #expect(!filter.matches(binding))
        filter = exact
        filter.patternType = .match
        filter.resourceName = "orders-eu"
        #expect(filter.matches(binding))
    }

    @Test("DeleteAcls with a MATCH filter removes what applies to one topic and keeps the rest")
    func deleteByMatch() {
        let filter = AclBindingFilter(resourceType: .topic, resourceName: "foobar", patternType: .match, principal: "User:alice", permission: .allow)
        let kept = all.filter { !filter.matches($0) }
        #expect(kept == [literalFoo, literalFoobarx, prefixedFoobarx, prefixedBar, prefixedWildcard, groupFoobar])
    }

    @Test("filters with ANY and MATCH are valid")
    func validFilters() throws {
        try AclBindingFilter.any.validate()
        try AclBindingFilter(resourceName: "x", patternType: .match).validate()
        try AclBindingFilter(resourceType: .cluster, resourceName: "kafka-cluster", patternType: .literal,
                             principal: "User:a", host: "*", operation: .alter, permission: .allow).validate()
    }

    @Test("filters with UNKNOWN fields are refused, naming the fields")
    func unknownFields() {
        let cases: [(AclBindingFilter, String)] = [
            (AclBindingFilter(resourceType: .unknown), "resourceType"),
            (AclBindingFilter(patternType: .unknown), "patternType"),
            (AclBindingFilter(operation: .unknown), "operation"),
            (AclBindingFilter(permission: .unknown), "permissionType"),
        ]
        for (filter, field) in cases {
            #expect {
                try filter.validate()
            } throws: { error in
                guard let error = error as? AclError else { return false }
                return error.kind == .unknownFilterElement && error.message.contains(field) && error.kafkaErrorCode == 42
            }
        }
        let everything = AclBindingFilter(resourceType: .unknown, patternType: .unknown, operation: .unknown, permission: .unknown)
        #expect(throws: AclError(.unknownFilterElement, "Filter contains UNKNOWN elements: resourceType, patternType, operation, permissionType")) {
            try everything.validate()
        }
    }
}
