import KafkaSecurity
import Testing

@Suite("AclAuthorizer.authorize: Kafka's StandardAuthorizer decisions")
struct AclAuthorizerTests {
    // MARK: Super users and the no-ACL default

    @Test("super users are allowed everything, even against DENY ACLs")
    func superUsers() {
        let admin = KafkaPrincipal.user("admin")
        let authorizer = AclAuthorizer(
            [acl(.deny, .all, "*", principal: "User:*"), acl(.deny, .all, "*", principal: "User:admin")],
            superUsers: [admin]
        )
        for operation in concreteOperations {
            #expect(authorizer.allows(admin, operation, topic: "orders"))
            #expect(authorizer.authorize(principal: admin, host: "1.2.3.4", operation: operation, resourceType: .cluster, resourceName: "kafka-cluster"))
            #expect(!authorizer.allows(.alice, operation, topic: "orders"))
        }
        // Super users are exact principals: neither another type nor another case.
        #expect(!authorizer.allows(KafkaPrincipal(type: "Group", name: "admin"), .read, topic: "orders"))
        #expect(!authorizer.allows(.user("Admin"), .read, topic: "orders"))
    }

    @Test("without ACLs the answer is allowEveryoneIfNoAclFound", arguments: [false, true])
    func noAcls(allowEveryone: Bool) {
        let authorizer = AclAuthorizer([], allowEveryone: allowEveryone)
        for operation in concreteOperations {
            #expect(authorizer.allows(.alice, operation, topic: "orders") == allowEveryone)
            #expect(authorizer.allows(.anonymous, operation, topic: "orders") == allowEveryone)
        }
        #expect(authorizer.authorize(principal: .alice, host: "h", operation: .alter, resourceType: .cluster, resourceName: "kafka-cluster") == allowEveryone)
    }

    @Test("ACLs on other resources leave the default in place", arguments: [false, true])
    func aclsElsewhere(allowEveryone: Bool) {
        let authorizer = AclAuthorizer(
            [
                acl(.deny, .all, "other", principal: "User:*"),
                acl(.deny, .all, "ordersX", .prefixed, principal: "User:*"),
                acl(.deny, .all, "orders-eu", principal: "User:*"),
                acl(.deny, .all, "*", type: .group, principal: "User:*"),
                acl(.deny, .all, "orders", type: .transactionalId, principal: "User:*"),
            ],
            allowEveryone: allowEveryone
        )
        #expect(authorizer.allows(.alice, .read, topic: "orders") == allowEveryone)
        #expect(authorizer.allows(.alice, .read, topic: "order") == allowEveryone)
        #expect(!authorizer.allows(.alice, .read, topic: "other"))
        #expect(!authorizer.allows(.alice, .read, topic: "ordersXY"))
    }

    @Test("an ACL that applies to the resource but not to the principal removes the default")
    func aclForSomeoneElse() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders", principal: "User:bob")], allowEveryone: true)
        #expect(authorizer.allows(.bob, .read, topic: "orders"))
        #expect(!authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.bob, .write, topic: "orders"))
        #expect(authorizer.allows(.alice, .read, topic: "payments"))
    }

    @Test("an ACL for another host removes the default too")
    func aclForAnotherHost() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders", host: "10.9.9.9")], allowEveryone: true)
        #expect(!authorizer.allows(.alice, .read, topic: "orders", host: "10.0.0.1"))
        #expect(authorizer.allows(.alice, .read, topic: "orders", host: "10.9.9.9"))
    }

    // MARK: Which ACLs apply

    @Test("a LITERAL ACL applies to exactly its resource")
    func literal() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders")])
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.alice, .read, topic: "orders2"))
        #expect(!authorizer.allows(.alice, .read, topic: "order"))
        #expect(!authorizer.allows(.alice, .read, topic: "Orders"))
        #expect(!authorizer.allows(.alice, .read, topic: "*"))
        #expect(!authorizer.allows(.alice, .write, topic: "orders"))
        #expect(!authorizer.allows(.bob, .read, topic: "orders"))
        #expect(!authorizer.authorize(principal: .alice, host: "h", operation: .read, resourceType: .group, resourceName: "orders"))
    }

    @Test("a PREFIXED ACL applies to every resource whose name starts with it")
    func prefixed() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders", .prefixed)])
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(authorizer.allows(.alice, .read, topic: "orders-eu"))
        #expect(authorizer.allows(.alice, .read, topic: "orders.v2.archive"))
        #expect(!authorizer.allows(.alice, .read, topic: "order"))
        #expect(!authorizer.allows(.alice, .read, topic: "my-orders"))
        #expect(!authorizer.allows(.alice, .read, topic: "Orders-eu"))
        #expect(!authorizer.allows(.alice, .read, topic: "*"))
    }

    @Test("a PREFIXED * is a prefix like any other, not a wildcard")
    func prefixedStar() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "*", .prefixed)])
        #expect(authorizer.allows(.alice, .read, topic: "*"))
        #expect(authorizer.allows(.alice, .read, topic: "*orders"))
        #expect(!authorizer.allows(.alice, .read, topic: "orders"))
    }

    @Test("a LITERAL * applies to every resource of its type")
    func literalWildcard() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "*")])
        for name in ["orders", "payments", "*", "a", String(repeating: "x", count: 249)] {
            #expect(authorizer.allows(.alice, .read, topic: name))
        }
        #expect(!authorizer.authorize(principal: .alice, host: "h", operation: .read, resourceType: .group, resourceName: "g"))
    }

    @Test("every prefix along the name applies, and literals that are only prefixes do not (Kafka's example)")
    func kafkaSectionExample() {
        // The ordering example in StandardAuthorizerData.findAclRule, one operation per ACL.
        let authorizer = AclAuthorizer([
            acl(.allow, .describeConfigs, "gar", .prefixed),
            acl(.allow, .read, "foobar", .prefixed),
            acl(.allow, .write, "foob"),
            acl(.allow, .create, "foo", .prefixed),
            acl(.allow, .delete, "fb", .prefixed),
            acl(.allow, .alterConfigs, "fa", .prefixed),
            acl(.allow, .alter, "f", .prefixed),
            acl(.allow, .idempotentWrite, "eeee"),
        ])
        #expect(authorizer.allows(.alice, .read, topic: "foobar"))
        #expect(authorizer.allows(.alice, .create, topic: "foobar"))
        #expect(authorizer.allows(.alice, .alter, topic: "foobar"))
        #expect(!authorizer.allows(.alice, .write, topic: "foobar"))
        #expect(!authorizer.allows(.alice, .delete, topic: "foobar"))
        #expect(!authorizer.allows(.alice, .alterConfigs, topic: "foobar"))
        #expect(!authorizer.allows(.alice, .describeConfigs, topic: "foobar"))
        #expect(!authorizer.allows(.alice, .idempotentWrite, topic: "foobar"))
        #expect(authorizer.allows(.alice, .write, topic: "foob"))
        #expect(!authorizer.allows(.alice, .read, topic: "foob"))
        #expect(authorizer.allows(.alice, .delete, topic: "fbx"))
        #expect(authorizer.allows(.alice, .alter, topic: "fbx"))
        #expect(!authorizer.allows(.alice, .create, topic: "fbx"))
    }

    @Test("resource types are separate")
    func resourceTypes() {
        let authorizer = AclAuthorizer([
            acl(.allow, .read, "shared", type: .group),
            acl(.allow, .write, "shared", type: .transactionalId),
            acl(.allow, .alter, "kafka-cluster", type: .cluster),
            acl(.allow, .createTokens, "bob", type: .user),
            acl(.allow, .describeTokens, "token", type: .delegationToken),
        ])
        func allows(_ operation: AclOperation, _ type: AclResourceType, _ name: String) -> Bool {
            authorizer.authorize(principal: .alice, host: "h", operation: operation, resourceType: type, resourceName: name)
        }
        #expect(allows(.read, .group, "shared"))
        #expect(!allows(.read, .topic, "shared"))
        #expect(!allows(.read, .transactionalId, "shared"))
        #expect(allows(.write, .transactionalId, "shared"))
        #expect(allows(.alter, .cluster, "kafka-cluster"))
        #expect(allows(.createTokens, .user, "bob"))
        #expect(!allows(.createTokens, .user, "carol"))
        #expect(allows(.describeTokens, .delegationToken, "token"))
    }

    // MARK: DENY wins

    @Test("a DENY wins over an ALLOW on the same literal resource")
    func denyLiteralOverAllowLiteral() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders"), acl(.deny, .read, "orders")])
        #expect(!authorizer.allows(.alice, .read, topic: "orders"))
    }

    @Test("a literal DENY carves a resource out of a PREFIXED ALLOW")
    func literalDenyInsidePrefixedAllow() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders", .prefixed), acl(.deny, .read, "orders-secret")])
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(authorizer.allows(.alice, .read, topic: "orders-eu"))
        #expect(!authorizer.allows(.alice, .read, topic: "orders-secret"))
        #expect(authorizer.allows(.alice, .read, topic: "orders-secret2"))
    }

    @Test("a PREFIXED DENY wins over a literal ALLOW it covers")
    func prefixedDenyOverLiteralAllow() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders-eu"), acl(.deny, .read, "orders", .prefixed)])
        #expect(!authorizer.allows(.alice, .read, topic: "orders-eu"))
    }

    @Test("a shorter PREFIXED DENY wins over a longer PREFIXED ALLOW, and the reverse")
    func prefixedAgainstPrefixed() {
        let narrowAllow = AclAuthorizer([acl(.allow, .read, "orders-eu", .prefixed), acl(.deny, .read, "orders", .prefixed)])
        #expect(!narrowAllow.allows(.alice, .read, topic: "orders-eu-1"))
        let narrowDeny = AclAuthorizer([acl(.allow, .read, "orders", .prefixed), acl(.deny, .read, "orders-eu", .prefixed)])
        #expect(!narrowDeny.allows(.alice, .read, topic: "orders-eu-1"))
        #expect(narrowDeny.allows(.alice, .read, topic: "orders-us-1"))
    }

    @Test("a wildcard DENY wins over literal and prefixed ALLOWs")
    func wildcardDeny() {
        let authorizer = AclAuthorizer([
            acl(.allow, .read, "orders"), acl(.allow, .read, "pay", .prefixed), acl(.allow, .read, "*"),
            acl(.deny, .read, "*"),
        ])
        #expect(!authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.alice, .read, topic: "payments"))
        #expect(!authorizer.allows(.alice, .read, topic: "anything"))
    }

    @Test("a literal or prefixed DENY wins over a wildcard ALLOW")
    func denyOverWildcardAllow() {
        let authorizer = AclAuthorizer([acl(.allow, .all, "*"), acl(.deny, .write, "audit", .prefixed), acl(.deny, .delete, "orders")])
        #expect(authorizer.allows(.alice, .write, topic: "orders"))
        #expect(!authorizer.allows(.alice, .write, topic: "audit-log"))
        #expect(authorizer.allows(.alice, .read, topic: "audit-log"))
        #expect(!authorizer.allows(.alice, .delete, topic: "orders"))
        #expect(authorizer.allows(.alice, .delete, topic: "payments"))
    }

    @Test("a DENY for User:* wins over an ALLOW for the principal")
    func wildcardPrincipalDeny() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders"), acl(.deny, .read, "orders", principal: "User:*")])
        #expect(!authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.bob, .read, topic: "orders"))
    }

    @Test("a DENY for every host wins over an ALLOW for the client's host; a DENY for another host does not")
    func hostDeny() {
        let everywhere = AclAuthorizer([acl(.allow, .read, "orders", host: "10.0.0.1"), acl(.deny, .read, "orders")])
        #expect(!everywhere.allows(.alice, .read, topic: "orders", host: "10.0.0.1"))
        let elsewhere = AclAuthorizer([acl(.allow, .read, "orders"), acl(.deny, .read, "orders", host: "10.0.0.2")])
        #expect(elsewhere.allows(.alice, .read, topic: "orders", host: "10.0.0.1"))
        #expect(!elsewhere.allows(.alice, .read, topic: "orders", host: "10.0.0.2"))
    }

    @Test("a DENY for another principal or operation does not refuse")
    func unrelatedDeny() {
        let authorizer = AclAuthorizer([
            acl(.allow, .read, "orders"), acl(.deny, .read, "orders", principal: "User:bob"), acl(.deny, .write, "orders"),
        ])
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.alice, .write, topic: "orders"))
    }

    @Test("a DENY of ALL refuses every operation")
    func denyAll() {
        let authorizer = AclAuthorizer([acl(.allow, .all, "orders"), acl(.deny, .all, "orders", .prefixed)])
        for operation in concreteOperations {
            #expect(!authorizer.allows(.alice, operation, topic: "orders"))
        }
    }

    // MARK: Operations

    @Test("an ALLOW of ALL grants every operation")
    func allowAll() {
        let authorizer = AclAuthorizer([acl(.allow, .all, "orders")])
        for operation in concreteOperations {
            #expect(authorizer.allows(.alice, operation, topic: "orders"))
        }
    }

    @Test("an ALLOW grants its own operation and, by Kafka's implications, no other", arguments: AclOperation.allCases.filter { $0 != .unknown && $0 != .any && $0 != .all })
    func allowGrants(granted: AclOperation) {
        let authorizer = AclAuthorizer([acl(.allow, granted, "orders")])
        let impliesDescribe: Set<AclOperation> = [.read, .write, .delete, .alter, .describe]
        for requested in concreteOperations {
            let expected: Bool
            switch requested {
            case granted: expected = true
            case .describe: expected = impliesDescribe.contains(granted)
            case .describeConfigs: expected = granted == .alterConfigs
            default: expected = false
            }
            #expect(authorizer.allows(.alice, requested, topic: "orders") == expected, "ALLOW \(granted.name) then \(requested.name)")
        }
    }

    @Test("DESCRIBE is implied by READ, WRITE, DELETE and ALTER, also from prefixed and wildcard ACLs")
    func impliedDescribe() {
        let authorizer = AclAuthorizer([
            acl(.allow, .read, "a"), acl(.allow, .write, "b", .prefixed), acl(.allow, .delete, "c"), acl(.allow, .alter, "d"),
            acl(.allow, .create, "e"), acl(.allow, .describeConfigs, "f"),
            acl(.allow, .read, "*", type: .group),
        ])
        #expect(authorizer.allows(.alice, .describe, topic: "a"))
        #expect(authorizer.allows(.alice, .describe, topic: "b-1"))
        #expect(authorizer.allows(.alice, .describe, topic: "c"))
        #expect(authorizer.allows(.alice, .describe, topic: "d"))
        #expect(!authorizer.allows(.alice, .describe, topic: "e"))
        #expect(!authorizer.allows(.alice, .describe, topic: "f"))
        #expect(authorizer.authorize(principal: .alice, host: "h", operation: .describe, resourceType: .group, resourceName: "any-group"))
    }

    @Test("DESCRIBE_CONFIGS is implied by ALTER_CONFIGS only")
    func impliedDescribeConfigs() {
        let authorizer = AclAuthorizer([acl(.allow, .alterConfigs, "a"), acl(.allow, .alter, "b"), acl(.allow, .describe, "c")])
        #expect(authorizer.allows(.alice, .describeConfigs, topic: "a"))
        #expect(!authorizer.allows(.alice, .describeConfigs, topic: "b"))
        #expect(!authorizer.allows(.alice, .describeConfigs, topic: "c"))
        #expect(!authorizer.allows(.alice, .alterConfigs, topic: "b"))
    }

    @Test("implication goes one way: DESCRIBE does not grant READ, DESCRIBE_CONFIGS does not grant ALTER_CONFIGS")
    func noReverseImplication() {
        let authorizer = AclAuthorizer([acl(.allow, .describe, "orders"), acl(.allow, .describeConfigs, "orders")])
        #expect(!authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.alice, .write, topic: "orders"))
        #expect(!authorizer.allows(.alice, .alterConfigs, topic: "orders"))
    }

    @Test("a DENY of READ does not deny DESCRIBE")
    func denyReadKeepsDescribe() {
        let withDescribe = AclAuthorizer([acl(.allow, .describe, "orders"), acl(.deny, .read, "orders")])
        #expect(withDescribe.allows(.alice, .describe, topic: "orders"))
        #expect(!withDescribe.allows(.alice, .read, topic: "orders"))
        // Even the DESCRIBE implied by an ALLOW of READ survives a DENY of READ.
        let implied = AclAuthorizer([acl(.allow, .read, "orders", .prefixed), acl(.deny, .read, "orders")])
        #expect(implied.allows(.alice, .describe, topic: "orders"))
        #expect(!implied.allows(.alice, .read, topic: "orders"))
    }

    @Test("a DENY of DESCRIBE does not deny READ, but does deny the DESCRIBE READ implies")
    func denyDescribeKeepsRead() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders"), acl(.deny, .describe, "orders")])
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.alice, .describe, topic: "orders"))
    }

    @Test("a DENY of ALTER_CONFIGS leaves DESCRIBE_CONFIGS alone")
    func denyAlterConfigs() {
        let authorizer = AclAuthorizer([acl(.allow, .alterConfigs, "orders"), acl(.deny, .alterConfigs, "orders", principal: "User:*")])
        #expect(authorizer.allows(.alice, .describeConfigs, topic: "orders"))
        #expect(!authorizer.allows(.alice, .alterConfigs, topic: "orders"))
    }

    // MARK: Principals and hosts

    @Test("User:* grants every principal, whatever its type; no other wildcard exists")
    func wildcardPrincipal() {
        let authorizer = AclAuthorizer([
            acl(.allow, .read, "public", principal: "User:*"),
            acl(.allow, .read, "groups", principal: "Group:*"),
            acl(.allow, .read, "glob", principal: "User:al*"),
        ])
        for principal in [.alice, .bob, .anonymous, KafkaPrincipal(type: "Group", name: "ops"), KafkaPrincipal(type: "ServiceAccount", name: "svc")] {
            #expect(authorizer.allows(principal, .read, topic: "public"), "\(principal)")
        }
        #expect(!authorizer.allows(KafkaPrincipal(type: "Group", name: "ops"), .read, topic: "groups"))
        #expect(authorizer.allows(KafkaPrincipal(type: "Group", name: "*"), .read, topic: "groups"))
        #expect(!authorizer.allows(.alice, .read, topic: "glob"))
        #expect(authorizer.allows(.user("al*"), .read, topic: "glob"))
    }

    @Test("principals match exactly: type, name and case")
    func exactPrincipal() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders", principal: "User:alice")])
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(!authorizer.allows(.user("Alice"), .read, topic: "orders"))
        #expect(!authorizer.allows(KafkaPrincipal(type: "Group", name: "alice"), .read, topic: "orders"))
        #expect(!authorizer.allows(KafkaPrincipal(type: "user", name: "alice"), .read, topic: "orders"))
        #expect(!authorizer.allows(.user("alice "), .read, topic: "orders"))
    }

    @Test("a principal whose name holds a colon matches the binding that spells it")
    func colonInName() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "orders", principal: "User:CN=a:b")])
        #expect(authorizer.allows(.user("CN=a:b"), .read, topic: "orders"))
        #expect(!authorizer.allows(.user("CN=a"), .read, topic: "orders"))
    }

    @Test("hosts match exactly or through *")
    func hosts() {
        let authorizer = AclAuthorizer([
            acl(.allow, .read, "orders", host: "10.0.0.1"),
            acl(.allow, .write, "orders", host: "*"),
            acl(.allow, .create, "orders", host: "0:0:0:0:0:0:0:1"),
        ])
        #expect(authorizer.allows(.alice, .read, topic: "orders", host: "10.0.0.1"))
        #expect(!authorizer.allows(.alice, .read, topic: "orders", host: "10.0.0.2"))
        #expect(!authorizer.allows(.alice, .read, topic: "orders", host: "10.0.0.10"))
        #expect(authorizer.allows(.alice, .write, topic: "orders", host: "10.0.0.2"))
        #expect(authorizer.allows(.alice, .write, topic: "orders", host: "0:0:0:0:0:0:0:1"))
        #expect(authorizer.allows(.alice, .create, topic: "orders", host: "0:0:0:0:0:0:0:1"))
        #expect(!authorizer.allows(.alice, .create, topic: "orders", host: "::1"))
    }

    // MARK: Names and bindings

    @Test("names match code point for code point, as Kafka's Java strings do")
    func unicodeNames() {
        let authorizer = AclAuthorizer([acl(.allow, .read, "caf\u{E9}"), acl(.allow, .write, "cafe", .prefixed), acl(.allow, .create, "\u{1F600}", .prefixed)])
        #expect(authorizer.allows(.alice, .read, topic: "caf\u{E9}"))
        #expect(!authorizer.allows(.alice, .read, topic: "cafe\u{301}"))
        // "cafe" is a prefix of "cafe" + combining accent, though Swift sees a different last character.
        #expect(authorizer.allows(.alice, .write, topic: "cafe\u{301}"))
        #expect(!authorizer.allows(.alice, .write, topic: "caf\u{E9}"))
        #expect(authorizer.allows(.alice, .create, topic: "\u{1F600}\u{1F601}"))
        #expect(!authorizer.allows(.alice, .create, topic: "\u{1F601}"))
    }

    @Test("bindings Kafka could not store are ignored")
    func invalidBindingsIgnored() {
        let authorizer = AclAuthorizer(
            [
                acl(.deny, .read, "orders", .match),
                acl(.deny, .read, "orders", .any),
                acl(.deny, .read, "orders", .unknown),
                acl(.deny, .read, "orders", type: .any),
                acl(.deny, .any, "orders"),
                acl(.unknown, .read, "orders"),
                acl(.deny, .read, "orders", principal: "alice"),
                acl(.deny, .read, "orders", host: ""),
                acl(.deny, .read, "", .prefixed),
                acl(.deny, .alter, "other-cluster", type: .cluster),
            ],
            allowEveryone: true
        )
        #expect(authorizer.allows(.alice, .read, topic: "orders"))
        #expect(authorizer.allows(.alice, .read, topic: "x"))
        #expect(authorizer.authorize(principal: .alice, host: "h", operation: .alter, resourceType: .cluster, resourceName: "kafka-cluster"))
    }

    @Test("duplicate bindings change nothing")
    func duplicates() {
        let binding = acl(.allow, .read, "orders", .prefixed)
        let authorizer = AclAuthorizer([binding, binding, binding])
        #expect(authorizer.allows(.alice, .read, topic: "orders-1"))
        #expect(!authorizer.allows(.alice, .write, topic: "orders-1"))
    }

    @Test("the cluster resource")
    func cluster() {
        let authorizer = AclAuthorizer([
            acl(.allow, .clusterAction, "kafka-cluster", type: .cluster, principal: "User:broker"),
            acl(.allow, .idempotentWrite, "kafka-cluster", type: .cluster),
            acl(.allow, .alterConfigs, "kafka-cluster", type: .cluster, principal: "User:ops"),
        ])
        func allows(_ principal: KafkaPrincipal, _ operation: AclOperation) -> Bool {
            authorizer.authorize(principal: principal, host: "h", operation: operation, resourceType: .cluster, resourceName: "kafka-cluster")
        }
        #expect(allows(.user("broker"), .clusterAction))
        #expect(!allows(.alice, .clusterAction))
        #expect(allows(.alice, .idempotentWrite))
        #expect(allows(.user("ops"), .describeConfigs))
        #expect(!allows(.user("ops"), .describe))
    }

    // MARK: Scale

    @Test("10,000 ACLs: each decision still follows the rules")
    func manyAcls() {
        var bindings: [AclBinding] = []
        for index in 0..<2_500 {
            let user = "User:user\(index)"
            bindings.append(acl(.allow, .read, "topic-\(index)", principal: user))
            bindings.append(acl(.allow, .write, "app\(index)-", .prefixed, principal: user))
            bindings.append(acl(.deny, .write, "app\(index)-secret", principal: user))
            bindings.append(acl(.allow, .read, "group-\(index)", type: .group, principal: user, host: "10.0.\(index / 256).\(index % 256)"))
        }
        bindings.append(acl(.allow, .describe, "*", principal: "User:*"))
        let authorizer = AclAuthorizer(bindings)
        #expect(bindings.count == 10_001)
        for index in stride(from: 0, to: 2_500, by: 97) {
            let user = KafkaPrincipal.user("user\(index)")
            let other = KafkaPrincipal.user("user\((index + 1) % 2_500)")
            #expect(authorizer.allows(user, .read, topic: "topic-\(index)"))
            #expect(!authorizer.allows(other, .read, topic: "topic-\(index)"))
            #expect(!authorizer.allows(user, .write, topic: "topic-\(index)"))
            #expect(authorizer.allows(other, .describe, topic: "topic-\(index)"))
            #expect(authorizer.allows(user, .write, topic: "app\(index)-orders"))
            #expect(authorizer.allows(user, .describe, topic: "app\(index)-orders"))
            #expect(!authorizer.allows(user, .write, topic: "app\(index)-secret"))
            #expect(authorizer.allows(user, .write, topic: "app\(index)-secrets"))
            #expect(!authorizer.allows(other, .write, topic: "app\(index)-orders"))
            #expect(!authorizer.allows(user, .write, topic: "app\(index)"))
            let host = "10.0.\(index / 256).\(index % 256)"
            #expect(authorizer.authorize(principal: user, host: host, operation: .read, resourceType: .group, resourceName: "group-\(index)"))
            #expect(!authorizer.authorize(principal: user, host: "192.0.2.1", operation: .read, resourceType: .group, resourceName: "group-\(index)"))
        }
    }
}
