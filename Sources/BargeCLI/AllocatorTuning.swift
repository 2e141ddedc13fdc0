/// Keeps glibc's allocator from holding on to freed large buffers. By default
/// glibc raises its mmap threshold after a large block is freed, so the next
/// multi-MiB buffers (S3 parts, chunks) come from arenas that keep their
/// pages; a fixed threshold maps every buffer of 1 MiB or more on its own and
/// gives it back when freed, and two arenas bound what threads keep aside.
enum AllocatorTuning {
    static func apply() {
        #if os(Linux)
        // Glibc's <malloc.h> is not in Swift's Glibc module: its constants, from that header.
        let mmapThreshold: Int32 = -3, arenaMax: Int32 = -8
        _ = glibcMallopt(mmapThreshold, 1 << 20)
        _ = glibcMallopt(arenaMax, 2)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
