#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that retries interrupted system calls: runs `body` until it
/// does not fail with EINTR, and turns any other failure into `FileIOError`.
@discardableResult
func systemCall<Result: BinaryInteger>(_ operation: String, _ path: String, _ body: () -> Result) throws(FileIOError) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw FileIOError(operation: operation, path: path, code: code)
    }
}

// The C functions under names that methods of the same name do not shadow.
func systemOpen(_ path: String, _ flags: CInt, _ mode: mode_t) -> CInt { open(path, flags, mode) }
func systemClose(_ descriptor: CInt) { _ = close(descriptor) }
func systemRename(_ from: String, _ to: String) -> CInt { rename(from, to) }
func systemLink(_ from: String, _ to: String) -> CInt { link(from, to) }
func systemRead(_ descriptor: CInt, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(descriptor, buffer, count) }
func systemUnlink(_ path: String) -> CInt { unlink(path) }
func systemMakeDirectory(_ path: String, _ mode: mode_t) -> CInt { mkdir(path, mode) }
func systemRemoveDirectory(_ path: String) -> CInt { rmdir(path) }
func systemFlock(_ descriptor: CInt, _ operation: CInt) -> CInt { flock(descriptor, operation) }
