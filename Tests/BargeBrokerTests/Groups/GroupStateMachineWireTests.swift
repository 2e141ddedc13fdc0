@testable import BargeBroker
import KafkaProtocol
import NIOCore
import Testing

@Suite("GroupStateMachine: wire conversions")
struct GroupStateMachineWireTests {
    @Test("JoinGroup v0 uses the session timeout as rebalance timeout; v4+ requires a known member id")
    func joinRequestConversion() {
        var request = JoinGroupRequest()
        request.sessionTimeoutMs = 10_000
        request.rebalanceTimeoutMs = 60_000
        request.protocolType = "consumer"
        var assignor = JoinGroupRequest.JoinGroupRequestProtocol()
        assignor.name = "range"
        assignor.metadata = ByteBuffer(string: "sub")
        request.protocols = [assignor]

        let v0 = GroupJoinRequest(request, version: 0, clientId: "c", clientHost: "/h")
        #expect(v0.rebalanceTimeoutMs == 10_000)
        #expect(!v0.requireKnownMemberId)
        let v3 = GroupJoinRequest(request, version: 3, clientId: "c", clientHost: "/h")
        #expect(v3.rebalanceTimeoutMs == 60_000)
        #expect(!v3.requireKnownMemberId)
        let v4 = GroupJoinRequest(request, version: 4, clientId: "c", clientHost: "/h")
        #expect(v4.requireKnownMemberId)
        #expect(v4.protocols == [GroupProtocol(name: "range", metadata: ByteBuffer(string: "sub"))])
        #expect(v4.clientId == "c")
        #expect(v4.clientHost == "/h")
    }

    @Test("LeaveGroup before v3 names one member id; from v3 a batch")
    func leaveRequestConversion() {
        var request = LeaveGroupRequest()
        request.memberId = "m"
        var identity = LeaveGroupRequest.MemberIdentity()
        identity.memberId = "x"
        identity.groupInstanceId = "i"
        request.members = [identity]
        #expect(GroupLeavingMember.members(of: request, version: 2) == [GroupLeavingMember(memberId: "m", groupInstanceId: nil)])
        #expect(GroupLeavingMember.members(of: request, version: 3) == [GroupLeavingMember(memberId: "x", groupInstanceId: "i")])
    }

    @Test("SyncGroup assignments become a map; a repeated member keeps the last one")
    func syncRequestConversion() {
        var request = SyncGroupRequest()
        request.memberId = "m"
        request.generationId = 3
        request.assignments = [("a", "1"), ("b", "2"), ("a", "3")].map {
            var assignment = SyncGroupRequest.SyncGroupRequestAssignment()
            assignment.memberId = $0.0
            assignment.assignment = ByteBuffer(string: $0.1)
            return assignment
        }
        let converted = GroupSyncRequest(request)
        #expect(converted.generationId == 3)
        #expect(converted.assignments.mapValues { String(buffer: $0) } == ["a": "3", "b": "2"])
    }

    @Test("an error JoinGroup answer encodes at every version")
    func joinResponseEncodes() throws {
        let failure = GroupJoinResult.failure(.memberIdRequired, memberId: "c-1")
        for version in JoinGroupResponse.versions {
            let response = JoinGroupResponse(failure, version: version)
            #expect(response.errorCode == 79)
            #expect(response.memberId == "c-1")
            #expect(response.generationId == -1)
            var encoder = KafkaEncoder(buffer: ByteBuffer())
            try response.encode(to: &encoder, version: version)
        }
        #expect(JoinGroupResponse(failure, version: 6).protocolName == "")
        #expect(JoinGroupResponse(failure, version: 7).protocolName == nil)
    }

    @Test("LeaveGroup answers: the member's error is top-level before v3")
    func leaveResponseConversion() {
        let result = GroupLeaveResult(error: .none, members: [.init(memberId: "m", groupInstanceId: nil, error: .unknownMemberId)])
        #expect(LeaveGroupResponse(result, version: 2).errorCode == 25)
        #expect(LeaveGroupResponse(result, version: 2).members.isEmpty)
        let v3 = LeaveGroupResponse(result, version: 3)
        #expect(v3.errorCode == 0)
        #expect(v3.members.map(\.errorCode) == [25])
        #expect(HeartbeatResponse(.rebalanceInProgress).errorCode == 27)
        #expect(SyncGroupResponse(.failure(.illegalGeneration)).errorCode == 22)
    }
}
