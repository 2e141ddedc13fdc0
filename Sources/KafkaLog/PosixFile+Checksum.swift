#if canImport(Glibc)
import Glibc
#endif
import KafkaProtocol

extension PosixFile {
    /// The CRC-32C of bytes `start..<end`, read through `chunk` a piece at a time.
    func checksum(from start: Int, to end: Int, chunk: UnsafeMutableRawBufferPointer, initial: CRC32C = CRC32C()) throws(LogError) -> UInt32 {
        var crc = initial
        var position = start
        while position < end {
            let count = min(chunk.count, end - position)
            let read = try read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<count]), at: position)
            guard read == count else { throw LogError(.storage, "\(path) ended at \(position + read) while reading to \(end)") }
            crc.update(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            position += count
        }
        return crc.value
    }

    /// Copies `count` bytes at `sourceOffset` of `source` to `offset` of this
    /// file inside the kernel (sendfile), without passing them through memory.
    func copy(_ count: Int, from source: PosixFile, at sourceOffset: Int, to offset: Int) throws(LogError) {
        _ = try Self.retrying("lseek", path) { lseek(descriptor, off_t(offset), SEEK_SET) }
        var input = off_t(sourceOffset)
        var left = count
        while left > 0 {
            let sent = try Self.retrying("sendfile", path) { sendfile(descriptor, source.descriptor, &input, left) }
            guard sent > 0 else { throw LogError(.storage, "\(source.path) ended while copying \(count) bytes from \(sourceOffset) into \(path)") }
            left -= sent
        }
    }
}
