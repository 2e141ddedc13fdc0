// The C compression libraries behind Barge's codecs (docs/wire-format.md):
// zlib for gzip, the LZ4 frame API, Zstandard and Snappy's C binding.
#include <zlib.h>
#include <lz4frame.h>
#include <zstd.h>
#include <zstd_errors.h>
#include <snappy-c.h>
