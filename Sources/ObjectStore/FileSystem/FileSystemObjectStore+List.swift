extension FileSystemObjectStore {
    /// Walks the directories below the root in ascending UTF-8 key order, `listPageSize`
    /// objects a page; each page walks again from the key after the previous page's last.
    ///
    /// Partial files (`.barge-partial-…`), symbolic links, anything else that is not a
    /// regular file, and names that are not valid keys are skipped.
    public func list(prefix: String) -> ObjectListing {
        ObjectListing { [root, listPageSize, fileSystem] continuation in
            try await BlockingIO.run {
                try ListingWalk.page(below: root, in: fileSystem, prefix: prefix, after: continuation, limit: listPageSize)
            }
        }
    }
}
