package rdb

// Quicklist (src/quicklist.c): a list is a linked list of nodes, each a
// listpack (PACKED) or, for an element of at least packed_threshold bytes,
// the element alone (PLAIN). RDB_TYPE_LIST_QUICKLIST_2 saves the node count,
// then per node its container and its bytes, LZF-compressed as the quicklist
// holds them or through rdbSaveRawString.

// qlNode is one quicklist node as RPUSH leaves it.
type qlNode struct {
	plain bool
	data  []byte // listpack, or the element of a plain node
	count int    // elements in a packed node
	lp    *lpWriter
}

// optimizationLevel is quicklist.c's optimization_level: the listpack byte
// limits of fill -1 .. -5.
var optimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// nodeAllowInsert is Redis 7.0's _quicklistNodeAllowInsert for a packed
// node of nodeSz bytes holding count elements and an element of sz bytes
// (plain nodes and large elements never get here).
func nodeAllowInsert(nodeSz, count, fill, sz int) bool {
	newSz := nodeSz + sz + sizeEstimateOverhead
	if fill < 0 {
		if off := -fill - 1; off < len(optimizationLevel) && newSz <= optimizationLevel[off] {
			return true
		}
	}
	if newSz > sizeSafetyLimit {
		return false
	}
	return count < fill
}

// buildQuicklist packs elems as quicklistPushTail of each in order does
// (RPUSH, one command or many).
func buildQuicklist(elems [][]byte, opt EncodeOptions) []qlNode {
	fill := opt.ListMaxListpackSize // quicklistSetFill clamps it
	if fill > fillMax {
		fill = fillMax
	} else if fill < -5 {
		fill = -5
	}
	thresh := opt.ListPackedThreshold
	if thresh <= 0 {
		thresh = defaultPackedThresh
	}
	var nodes []qlNode
	tail := -1 // index of the packed tail node, -1 if none or plain
	for _, el := range elems {
		if len(el) >= thresh {
			nodes = append(nodes, qlNode{plain: true, data: el})
			tail = -1
			continue
		}
		if tail >= 0 && nodeAllowInsert(nodes[tail].lp.size(), nodes[tail].count, fill, len(el)) {
			nodes[tail].lp.appendString(el)
			nodes[tail].count++
			continue
		}
		w := newLPWriter(0)
		w.appendString(el)
		nodes = append(nodes, qlNode{lp: w, count: 1})
		tail = len(nodes) - 1
	}
	for i := range nodes {
		if nodes[i].lp != nil {
			nodes[i].data = nodes[i].lp.bytes()
			nodes[i].lp = nil
		}
	}
	return nodes
}

// compressNode is __quicklistCompressNode: nil when the node stays raw
// (under MIN_COMPRESS_BYTES, or LZF does not save more than
// MIN_COMPRESS_IMPROVE bytes).
func compressNode(data []byte) []byte {
	if len(data) < minCompressBytes {
		return nil
	}
	c := lzfCompress(data, len(data))
	if c == nil || len(c)+minCompressImprove >= len(data) {
		return nil
	}
	return c
}

func (e *encoder) quicklist(elems [][]byte) {
	nodes := buildQuicklist(elems, e.opt)
	depth := e.opt.ListCompressDepth // quicklistSetCompressDepth clamps it
	if depth > compressMax {
		depth = compressMax
	}
	e.len(uint64(len(nodes)))
	for i, n := range nodes {
		if n.plain {
			e.len(containerPlain)
		} else {
			e.len(containerPacked)
		}
		// Pushing at the tail, __quicklistCompress leaves the depth nodes
		// at each end raw and compresses every node in between once it is
		// no longer the tail, that is with its final content.
		if depth > 0 && i >= depth && i < len(nodes)-depth {
			if c := compressNode(n.data); c != nil {
				e.lzfBlob(c, len(n.data))
				continue
			}
		}
		e.rawString(n.data)
	}
}
