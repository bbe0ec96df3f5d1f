"""The record store: what makes a warm run cheap, behind one boundary.

`cache` keeps each file's parsed and validated records, keyed by its bytes' hash and signed;
`codec` turns records into the cache's plain JSON values and back (nothing in a cache file can
run code); `pool` parses many files on every core when there is no cache to read.  `load` is
the one caller; it sees only the names below.
"""

from .cache import RecordCache, ShardedCache, decode_entry, encode_entry
from .pool import MIN_FILES, read_many, workers

__all__ = ["MIN_FILES", "RecordCache", "ShardedCache", "decode_entry", "encode_entry", "read_many", "workers"]
