package rdb

// Format constants. These numbers are Redis's (rdb.h, t_stream.c, quicklist.c,
// listpack.c) and part of the DUMP format: they never change.

// Version is the RDB version Redis 7.0 writes in the payload footer; Decode
// accepts payloads whose version is at most Version.
const Version = 10

// FileVersion is the newest RDB file version ParseFile reads: 12, what
// Redis 7.4 to 8.x write (7.2 writes 11). Their files add the object
// types TypeSetListpack and TypeStreamListpacks3 and the SLOT_INFO opcode;
// hash fields with TTLs (Redis 7.4's types 22 to 25) are refused. RESTORE
// payloads stay at Version: Redis 7.0 refuses newer ones.
const FileVersion = 12

// Object type bytes (rdb.h RDB_TYPE_*): the first byte of a payload.
const (
	TypeString           = 0
	TypeList             = 1 // linked list of strings (RDB < 7)
	TypeSet              = 2
	TypeZSet             = 3 // scores as strings
	TypeHash             = 4
	TypeZSet2            = 5 // scores as binary doubles
	TypeModule           = 6
	TypeModule2          = 7
	TypeHashZipmap       = 9
	TypeListZiplist      = 10
	TypeSetIntset        = 11
	TypeZSetZiplist      = 12
	TypeHashZiplist      = 13
	TypeListQuicklist    = 14 // quicklist of ziplists
	TypeStreamListpacks  = 15
	TypeHashListpack     = 16
	TypeZSetListpack     = 17
	TypeListQuicklist2   = 18 // quicklist of listpacks or plain nodes
	TypeStreamListpacks2 = 19
	// In RDB files of version 11 and later only (Redis 7.2+).
	TypeSetListpack      = 20 // a listpack of members
	TypeStreamListpacks3 = 21 // consumers also have their active time
)

// Length encodings (rdb.h): the top two bits of a length's first byte.
const (
	len6Bit  = 0
	len14Bit = 1
	lenEnc   = 3 // a special string encoding follows in the low 6 bits
	len32Bit = 0x80
	len64Bit = 0x81
)

// Special string encodings (RDB_ENC_*), under lenEnc.
const (
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// Quicklist node containers (QUICKLIST_NODE_CONTAINER_*).
const (
	containerPlain  = 1
	containerPacked = 2
)

// Quicklist sizing (quicklist.c).
const (
	sizeSafetyLimit      = 8192    // SIZE_SAFETY_LIMIT
	sizeEstimateOverhead = 8       // SIZE_ESTIMATE_OVERHEAD
	minCompressBytes     = 48      // MIN_COMPRESS_BYTES
	minCompressImprove   = 8       // MIN_COMPRESS_IMPROVE
	defaultPackedThresh  = 1 << 30 // packed_threshold
	fillMax              = 1<<15 - 1
	compressMax          = 1<<16 - 1
)

// listpackMaxSafetySize is LISTPACK_MAX_SAFETY_SIZE (lpSafeToAdd) and
// STREAM_LISTPACK_MAX_SIZE.
const listpackMaxSafetySize = 1 << 30

// Stream entry flags (stream.h STREAM_ITEM_FLAG_*).
const (
	streamFlagDeleted    = 1 << 0
	streamFlagSameFields = 1 << 1
)
