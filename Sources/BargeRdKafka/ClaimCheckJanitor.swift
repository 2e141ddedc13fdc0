import BargeCore
import Foundation
import Logging
import ObjectStore
import RdKafka
import ServiceLifecycle

/// Deletes claim-check objects that no record references any more: their
/// topic was deleted, retention removed their reference record, or their
/// reference was never produced (orphans). An object that a record in its
/// topic still references is never deleted, and unreferenced objects younger
/// than the grace period are kept. Objects are matched to topics by their
/// key, `<topic>/<message id>` (see ``LargeMessageProducer``); other keys
/// are left alone.
///
/// ``collect()`` runs once (`barge gc`); as a ``Service``, ``run()``
/// collects every ``ClaimCheckJanitorConfiguration/interval`` until a
/// graceful shutdown.
public struct ClaimCheckJanitor: Service {
    private let configuration: ClaimCheckJanitorConfiguration
    private let logger: Logger

    /// A janitor with these settings.
    public init(configuration: ClaimCheckJanitorConfiguration, logger: Logger = Logger(label: "barge.janitor")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Collects every `interval` until the service group shuts down; a failed
    /// collection is logged and tried again next time.
    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                let collection = try await collect()
                logger.info("claim-check collection", metadata: [
                    "examined": "\(collection.examined)", "deleted": "\(collection.deletions.filter(\.deleted).count)",
                    "bytes": "\(collection.bytesCollected)",
                ])
            } catch {
                logger.error("claim-check collection failed: \(error)")
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.interval) }
            } catch {
                return
            }
        }
    }

    /// One collection: lists the store's objects, scans the topics they
    /// belong to for references, and deletes (or, in a dry run, reports) the
    /// unreferenced ones older than the grace period.
    public func collect() async throws -> ClaimCheckCollection {
        let started = Date()
        var collection = ClaimCheckCollection()
        collection.dryRun = configuration.dryRun
        var byTopic: [String: [ObjectInfo]] = [:]
        for try await object in configuration.store.list(prefix: "") {
            let segments = object.key.segments
            guard segments.count == 2, BargeMessageID(String(segments[1])) != nil else {
                collection.foreign += 1
                continue
            }
            byTopic[String(segments[0]), default: []].append(object)
        }
        guard !byTopic.isEmpty else { return collection }
        let topics = try await existingTopics()
        let scan = ReferenceScan(connection: configuration.connection, timeout: configuration.scanTimeout, logger: logger)
        let graceLimit = started.addingTimeInterval(-configuration.gracePeriod.seconds)
        for (topic, objects) in byTopic.sorted(by: { $0.key < $1.key }) {
            collection.examined += objects.count
            let references: ReferenceScan.Result?
            switch topics[topic] {
            case .some(.some(let partitions)):
                references = try await scan.scan(topic: topic, partitions: partitions)
            case .some(.none):
                // The cluster reported an error for the topic: its references cannot be read now.
                collection.unscanned += objects.count
                continue
            case .none:
                references = nil
            }
            for object in objects {
                let url = configuration.store.location.url(of: object.key)
                if references?.objectURLs.contains(url) == true {
                    collection.referenced += 1
                    continue
                }
                guard object.lastModified < graceLimit else {
                    collection.withinGracePeriod += 1
                    continue
                }
                let reason = Self.reason(for: object, references: references)
                collection.deletions.append(await delete(object, url: url, reason: reason))
            }
        }
        return collection
    }

    private static func reason(for object: ObjectInfo, references: ReferenceScan.Result?) -> ClaimCheckCollection.Reason {
        guard let references else { return .topicDeleted }
        if references.emptiedByRetention { return .retention }
        if let oldest = references.oldestRecord, object.lastModified < oldest { return .retention }
        return .orphan
    }

    private func delete(_ object: ObjectInfo, url: String, reason: ClaimCheckCollection.Reason) async -> ClaimCheckCollection.Deletion {
        var deletion = ClaimCheckCollection.Deletion(objectURL: url, size: object.size, lastModified: object.lastModified, reason: reason, deleted: false)
        guard !configuration.dryRun else { return deletion }
        do {
            try await configuration.store.delete(object.key)
            deletion.deleted = true
            logger.info("deleted claim-check object", metadata: ["object": "\(url)", "reason": "\(reason.rawValue)", "bytes": "\(object.size)"])
        } catch {
            deletion.error = "\(error)"
            logger.warning("could not delete claim-check object", metadata: ["object": "\(url)", "error": "\(error)"])
        }
        return deletion
    }

    /// The cluster's topics and their partition ids (nil for a topic the
    /// cluster reported an error for).
    private func existingTopics() async throws -> [String: [Int32]?] {
        let admin = try KafkaAdminClient(configuration: configuration.connection, logger: logger)
        let listed: [KafkaTopicDescription]
        do {
            listed = try await admin.listTopics()
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
        var topics: [String: [Int32]?] = [:]
        for topic in listed {
            topics[topic.name] = topic.error == nil ? topic.partitions.map(\.id) : .some(nil)
        }
        return topics
    }
}
