import CRdKafka
@testable import RdKafka
import Testing

@Suite("Delivery stall watch: message.timeout.ms where librdkafka does not enforce it")
struct DeliveryStallWatchTests {
    let start = ContinuousClock.now

    @Test("a stall is messages outstanding with no report for longer than the timeout, seen once per timeout")
    func stall() {
        let watch = DeliveryStallWatch(timeout: .seconds(5))
        #expect(!watch.isStalled(now: start + .seconds(60)), "nothing outstanding, nothing stalls")
        watch.handedOver()
        let handed = ContinuousClock.now
        #expect(!watch.isStalled(now: handed + .seconds(4)))
        #expect(watch.isStalled(now: handed + .seconds(6)))
        #expect(!watch.isStalled(now: handed + .seconds(7)), "one stall is failed once")
        #expect(watch.stalledRecently(now: handed + .seconds(7)))
        #expect(!watch.stalledRecently(now: handed + .seconds(12)))
        #expect(watch.reported(delivered: false), "the stalled message's failure says so")
    }

    @Test("a timeout of zero is infinite, as in librdkafka")
    func infinite() {
        let watch = DeliveryStallWatch(timeout: .zero)
        watch.handedOver()
        #expect(!watch.isStalled(now: .now + .seconds(3600)))
    }

    @Test("a delivery ends the stall and forgets the broker's refusal")
    func deliveryClears() {
        let watch = DeliveryStallWatch(timeout: .seconds(5))
        watch.handedOver()
        watch.handedOver()
        #expect(watch.isStalled(now: .now + .seconds(6)))
        watch.produceFailed("Broker: Disk error when trying to access log file on disk")
        #expect(!watch.reported(delivered: true))
        #expect(!watch.stalledRecently())
        #expect(watch.error(for: "x").name == "_MSG_TIMED_OUT")
    }

    @Test("reports keep the watch quiet while they come, even slowly")
    func progress() {
        let watch = DeliveryStallWatch(timeout: .seconds(5))
        for _ in 0..<3 { watch.handedOver() }
        #expect(!watch.reported(delivered: true))
        #expect(!watch.isStalled(now: .now + .seconds(4)))
    }

    @Test("the error names what the broker refused the records with; a storage error keeps its code")
    func errors() {
        let watch = DeliveryStallWatch(timeout: .seconds(30))
        let silent = watch.error(for: "delivery to t-0")
        #expect(silent.kind == .timedOut && silent.name == "_MSG_TIMED_OUT")
        #expect(silent.message.contains("down or unreachable") && silent.message.contains("delivery to t-0"))
        watch.produceFailed(String(cString: rd_kafka_err2str(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR)))
        watch.produceFailed("Local: Broker transport failure")
        watch.produceFailed(String(cString: rd_kafka_err2str(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER)))
        let storage = watch.error(for: "delivery to t-0")
        #expect(storage.kind == .timedOut && storage.name == "KAFKA_STORAGE_ERROR" && storage.isRetriable)
        #expect(storage.message.contains("Disk error"))
        watch.produceFailed("Broker: Not enough in-sync replicas")
        #expect(watch.error(for: "x").name == "_MSG_TIMED_OUT" && watch.error(for: "x").message.contains("in-sync replicas"))
    }

    @Test("the broker's error is read from librdkafka's MSGSET debug line")
    func debugLine() {
        let line = "t [0]: MessageSet with 3 message(s) (MsgId 17, BaseSeq 16) encountered error: Broker: Disk error when trying to access log file on disk (actions Refresh,Retry,MsgNotPersisted)"
        #expect(producedBatchError(line) == "Broker: Disk error when trying to access log file on disk")
        #expect(producedBatchError("t [0]: produce messageset with 3 messages") == nil)
        #expect(producedBatchError("encountered error: no actions") == nil)
    }
}
