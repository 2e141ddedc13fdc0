import KafkaSecurity
import Testing

@Suite("AclAuthorizer.authorizeAny: Kafka's Authorizer.authorizeByResourceType")
struct AclAuthorizeAnyTests {
    @Test("super users may do anything on some resource, even against a wildcard DENY")
    func superUser() {
        let admin = KafkaPrincipal.user("admin")
        let authorizer = AclAuthorizer([acl(.deny, .all, "*", principal: "User:*")], superUsers: [admin])
        #expect(authorizer.allowsAnyTopic(admin, .write))
        #expect(!authorizer.allowsAnyTopic(.alice, .write))
    }

    @Test("without ACLs the answer is allowEveryoneIfNoAclFound", arguments: [false, true])
    func noAcls(allowEveryone: Bool) {
        let authorizer = AclAuthorizer([], allowEveryone: allowEveryone)
        for operation in concreteOperations {
            #expect(authorizer.allowsAnyTopic(.alice, operation) == allowEveryone)
        }
    }

    @Test("with allowEveryoneIfNoAclFound, ACLs that do not apply to Kafka's stand-in name leave the answer yes")
    func allowEveryoneWithAcls() {
        // Kafka first authorizes the literal resource "hardcode": nothing applies to it, so
        // the default allows, whatever the principal's own DENYs elsewhere.
        let authorizer = AclAuthorizer(
            [acl(.deny, .write, "orders"), acl(.deny, .write, "pay", .prefixed), acl(.allow, .write, "x", principal: "User:bob")],
            allowEveryone: true
        )
        #expect(authorizer.allowsAnyTopic(.alice, .write))
        // An ACL that applies to "hardcode" removes the default.
        let prefixedDeny = AclAuthorizer([acl(.deny, .write, "h", .prefixed)], allowEveryone: true)
        #expect(!prefixedDeny.allowsAnyTopic(.alice, .write))
        // A wildcard DENY applies to every name, "hardcode" included.
        let wildcardDeny = AclAuthorizer([acl(.deny, .write, "*", principal: "User:*")], allowEveryone: true)
        #expect(!wildcardDeny.allowsAnyTopic(.alice, .write))
        // And as an ACL now applies to every topic, the default is gone for READ too.
        #expect(!wildcardDeny.allowsAnyTopic(.alice, .read))
    }

    @Test("an ALLOW on one resource is enough")
    func singleAllow() {
        for pattern in [AclPatternType.literal, .prefixed] {
            let authorizer = AclAuthorizer([acl(.allow, .write, "orders", pattern)])
            #expect(authorizer.allowsAnyTopic(.alice, .write))
            #expect(!authorizer.allowsAnyTopic(.bob, .write))
            #expect(!authorizer.allowsAnyTopic(.alice, .read))
            #expect(!authorizer.authorizeAny(principal: .alice, host: "10.0.0.1", operation: .write, resourceType: .group))
        }
    }

    @Test("ALLOWs for User:* count; ALLOWs for other principals do not")
    func principals() {
        let everyone = AclAuthorizer([acl(.allow, .write, "orders", principal: "User:*")])
        #expect(everyone.allowsAnyTopic(.alice, .write))
        #expect(everyone.allowsAnyTopic(KafkaPrincipal(type: "Group", name: "ops"), .write))
        let bobOnly = AclAuthorizer([acl(.allow, .write, "orders", principal: "User:bob")])
        #expect(!bobOnly.allowsAnyTopic(.alice, .write))
        #expect(bobOnly.allowsAnyTopic(.bob, .write))
    }

    @Test("hosts match exactly or through *")
    func hosts() {
        let authorizer = AclAuthorizer([acl(.allow, .write, "orders", host: "10.0.0.1")])
        #expect(authorizer.allowsAnyTopic(.alice, .write, host: "10.0.0.1"))
        #expect(!authorizer.allowsAnyTopic(.alice, .write, host: "10.0.0.2"))
        let denyElsewhere = AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "orders", host: "10.0.0.2")])
        #expect(denyElsewhere.allowsAnyTopic(.alice, .write, host: "10.0.0.1"))
        #expect(!denyElsewhere.allowsAnyTopic(.alice, .write, host: "10.0.0.2"))
    }

    @Test("a literal DENY cancels the literal ALLOW of the same name only")
    func literalDeny() {
        #expect(!AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "orders")]).allowsAnyTopic(.alice, .write))
        #expect(AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "payments")]).allowsAnyTopic(.alice, .write))
        // A literal DENY does not cancel a PREFIXED ALLOW, even of the same name:
        // other topics under the prefix remain.
        #expect(AclAuthorizer([acl(.allow, .write, "orders", .prefixed), acl(.deny, .write, "orders")]).allowsAnyTopic(.alice, .write))
        // A literal DENY named like a prefix of the ALLOW's name is not a prefix DENY.
        #expect(AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "order")]).allowsAnyTopic(.alice, .write))
    }

    @Test("a PREFIXED DENY cancels every ALLOW whose name it prefixes")
    func prefixedDeny() {
        for denied in ["o", "ord", "orders"] {
            #expect(!AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, denied, .prefixed)]).allowsAnyTopic(.alice, .write))
            #expect(!AclAuthorizer([acl(.allow, .write, "orders", .prefixed), acl(.deny, .write, denied, .prefixed)]).allowsAnyTopic(.alice, .write))
        }
        // A longer PREFIXED DENY leaves the rest of a shorter PREFIXED ALLOW.
        #expect(AclAuthorizer([acl(.allow, .write, "orders", .prefixed), acl(.deny, .write, "orders-eu", .prefixed)]).allowsAnyTopic(.alice, .write))
        #expect(AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "x", .prefixed)]).allowsAnyTopic(.alice, .write))
    }

    @Test("one uncancelled ALLOW among cancelled ones is enough")
    func oneSurvivor() {
        let authorizer = AclAuthorizer([
            acl(.allow, .write, "a"), acl(.deny, .write, "a"),
            acl(.allow, .write, "b-1"), acl(.allow, .write, "b-2", .prefixed), acl(.deny, .write, "b", .prefixed),
            acl(.allow, .write, "c"),
        ])
        #expect(authorizer.allowsAnyTopic(.alice, .write))
        let allCancelled = AclAuthorizer([
            acl(.allow, .write, "a"), acl(.deny, .write, "a"),
            acl(.allow, .write, "b-1"), acl(.allow, .write, "b-2", .prefixed), acl(.deny, .write, "b", .prefixed),
        ])
        #expect(!allCancelled.allowsAnyTopic(.alice, .write))
    }

    @Test("a LITERAL * ALLOW allows, a LITERAL * DENY refuses")
    func wildcards() {
        #expect(AclAuthorizer([acl(.allow, .write, "*")]).allowsAnyTopic(.alice, .write))
        #expect(!AclAuthorizer([acl(.allow, .write, "*"), acl(.deny, .write, "*")]).allowsAnyTopic(.alice, .write))
        #expect(!AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "*", principal: "User:*")]).allowsAnyTopic(.alice, .write))
        // A wildcard ALLOW outweighs PREFIXED DENYs (Kafka returns before looking at them),
        // even one that covers Kafka's stand-in name.
        #expect(AclAuthorizer([acl(.allow, .write, "*"), acl(.deny, .write, "h", .prefixed)]).allowsAnyTopic(.alice, .write))
        // A PREFIXED * is an ordinary prefix.
        #expect(AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .write, "*", .prefixed)]).allowsAnyTopic(.alice, .write))
        #expect(!AclAuthorizer([acl(.allow, .write, "*orders"), acl(.deny, .write, "*", .prefixed)]).allowsAnyTopic(.alice, .write))
    }

    @Test("DENYs for other principals, operations or hosts do not cancel")
    func unrelatedDenies() {
        let authorizer = AclAuthorizer([
            acl(.allow, .write, "orders"),
            acl(.deny, .write, "orders", principal: "User:bob"),
            acl(.deny, .read, "orders"),
            acl(.deny, .write, "orders", host: "10.9.9.9"),
            acl(.deny, .write, "*", type: .group),
        ])
        #expect(authorizer.allowsAnyTopic(.alice, .write))
    }

    @Test("ALL counts for ALLOW and DENY")
    func allOperation() {
        let allowAll = AclAuthorizer([acl(.allow, .all, "orders")])
        for operation in concreteOperations {
            #expect(allowAll.allowsAnyTopic(.alice, operation))
        }
        #expect(!AclAuthorizer([acl(.allow, .write, "orders"), acl(.deny, .all, "orders")]).allowsAnyTopic(.alice, .write))
        #expect(!AclAuthorizer([acl(.allow, .all, "orders"), acl(.deny, .write, "o", .prefixed)]).allowsAnyTopic(.alice, .write))
        #expect(AclAuthorizer([acl(.allow, .all, "orders"), acl(.deny, .write, "o", .prefixed)]).allowsAnyTopic(.alice, .read))
    }

    @Test("implied operations count only through Kafka's stand-in resource")
    func impliedOperations() {
        // Kafka's scan compares operations exactly: READ on one topic does not make
        // DESCRIBE on some topic (though authorize allows DESCRIBE on that topic).
        let literal = AclAuthorizer([acl(.allow, .read, "orders")])
        #expect(literal.allows(.alice, .describe, topic: "orders"))
        #expect(!literal.allowsAnyTopic(.alice, .describe))
        // A wildcard READ applies to "hardcode", where authorize applies the implication.
        #expect(AclAuthorizer([acl(.allow, .read, "*")]).allowsAnyTopic(.alice, .describe))
        #expect(AclAuthorizer([acl(.allow, .alterConfigs, "h", .prefixed)]).allowsAnyTopic(.alice, .describeConfigs))
        // A DENY of READ does not cancel an ALLOW of DESCRIBE.
        #expect(AclAuthorizer([acl(.allow, .describe, "orders"), acl(.deny, .read, "o", .prefixed)]).allowsAnyTopic(.alice, .describe))
    }

    @Test("the idempotent producer's question: may this principal WRITE to some topic?")
    func idempotentProducer() {
        let authorizer = AclAuthorizer([
            acl(.allow, .write, "events-", .prefixed, principal: "User:producer"),
            acl(.allow, .read, "events-", .prefixed, principal: "User:consumer"),
        ])
        #expect(authorizer.allowsAnyTopic(.user("producer"), .write))
        #expect(!authorizer.allowsAnyTopic(.user("consumer"), .write))
        #expect(authorizer.allowsAnyTopic(.user("consumer"), .read))
    }

    @Test("resource type and operation must be concrete")
    func invalidArguments() {
        let authorizer = AclAuthorizer([acl(.allow, .all, "*", principal: "User:*")], allowEveryone: true)
        for type in [AclResourceType.any, .unknown] {
            #expect(!authorizer.authorizeAny(principal: .alice, host: "h", operation: .read, resourceType: type))
        }
        for operation in [AclOperation.any, .unknown] {
            #expect(!authorizer.allowsAnyTopic(.alice, operation))
        }
    }

    @Test("10,000 ACLs: each principal's answer follows its own ACLs")
    func manyAcls() {
        var bindings: [AclBinding] = []
        for index in 0..<5_000 {
            let user = "User:user\(index)"
            bindings.append(acl(.allow, .write, "t\(index)-", .prefixed, principal: user))
            // Every odd user's only ALLOW is cancelled by a shorter prefixed DENY.
            bindings.append(index.isMultiple(of: 2)
                ? acl(.deny, .write, "t\(index)-secret", principal: user)
                : acl(.deny, .write, "t\(index)", .prefixed, principal: user))
        }
        let authorizer = AclAuthorizer(bindings)
        #expect(bindings.count == 10_000)
        for index in stride(from: 0, to: 5_000, by: 61) {
            let user = KafkaPrincipal.user("user\(index)")
            #expect(authorizer.allowsAnyTopic(user, .write) == index.isMultiple(of: 2), "user\(index)")
            #expect(!authorizer.allowsAnyTopic(user, .read))
        }
        #expect(!authorizer.allowsAnyTopic(.user("stranger"), .write))
    }
}
