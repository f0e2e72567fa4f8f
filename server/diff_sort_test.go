package server

import "testing"

// Differential cases for SORT and SORT_RO over lists, sets and sorted
// sets. Cases avoid what Redis leaves unspecified: the order of a set
// read with BY nosort (hash order) and of ties under ALPHA with BY (qsort
// is not stable).

func init() {
	familyCommands = append(familyCommands, "sort", "sort_ro")
}

func TestDiffSort(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), sortCases)
}

var sortCases = []diffCase{
	dc("SORT/missing", `SORT nokey`, `SORT nokey DESC LIMIT 0 5`, `SORT_RO nokey`, `SORT nokey STORE dst`, `EXISTS dst`),
	dc("SORT/numeric", `RPUSH l 3 1 2 10 -5`, `SORT l`, `SORT l DESC`, `SORT_RO l`, `SORT_RO l desc`),
	dc("SORT/numeric_forms", `RPUSH l 1.5 -inf 10 "" " 3" inf 1e3 0x10 -0`, `SORT l`, `SORT l DESC`),
	dc("SORT/numeric_ties", `RPUSH l 1 01 1.0 +1 1e0`, `SORT l`, `SORT l DESC`),
	dc("SORT/not_numbers", `RPUSH l b a c`, `SORT l`, `RPUSH m 1 nan`, `SORT m`, `RPUSH o 1 "3 "`, `SORT o`,
		`RPUSH p 1 1e400`, `SORT p`, `RPUSH q 1 "  "`, `SORT q`, `RPUSH r 1 abc`, `SORT r LIMIT 0 1`),
	dc("SORT/alpha", `RPUSH l b a c "" B aa`, `SORT l ALPHA`, `SORT l ALPHA DESC`, `SORT l alpha limit 1 2`, `SORT l DESC ALPHA LIMIT 0 1`),
	dc("SORT/limit", `RPUSH l 5 4 3 2 1`, `SORT l LIMIT 0 0`, `SORT l LIMIT 0 -1`, `SORT l LIMIT 1 2`, `SORT l LIMIT -1 2`,
		`SORT l LIMIT 4 10`, `SORT l LIMIT 5 1`, `SORT l LIMIT 100 1`, `SORT l LIMIT 2 -5`, `SORT l LIMIT 0 1 LIMIT 3 1`),
	dc("SORT/limit_errors", `RPUSH l 1 2`, `SORT l LIMIT`, `SORT l LIMIT 1`, `SORT l LIMIT a 1`, `SORT l LIMIT 1 b`,
		`SORT l LIMIT 1.5 1`, `SORT l LIMIT 99999999999999999999 1`),
	dc("SORT/syntax", `RPUSH l 1 2`, `SORT l FOO`, `SORT l BY`, `SORT l GET`, `SORT l STORE`, `SORT l ASC DESC ASC`,
		`SORT_RO l STORE dst`, `SORT_RO l BY x GET`, `SORT nokey FOO`, `SET str v`, `SORT str FOO`),
	dc("SORT/wrongtype", `SET str v`, `SORT str`, `SORT_RO str`, `SORT str STORE dst`),
	dc("SORT/by", `RPUSH l 1 2 3`, `MSET w_1 30 w_2 10 w_3 20`, `SORT l BY w_*`, `SORT l BY w_* DESC`,
		`SORT l BY w_* LIMIT 1 1`, `SORT l BY w_* GET # GET w_*`, `SORT_RO l BY w_* GET w_* GET #`),
	dc("SORT/by_missing_weights", `RPUSH l 3 1 2`, `MSET w_1 5`, `SORT l BY w_*`, `SORT l BY w_* DESC`),
	dc("SORT/by_not_number", `RPUSH l 1 2`, `MSET w_1 x w_2 1`, `SORT l BY w_*`, `SORT l BY w_* ALPHA`),
	dc("SORT/by_alpha", `RPUSH l 1 2 3`, `MSET w_1 b w_2 c w_3 a`, `SORT l BY w_* ALPHA`, `SORT l BY w_* ALPHA DESC GET w_*`),
	dc("SORT/by_wrong_type_weight", `RPUSH l 1 2`, `RPUSH w_1 x`, `MSET w_2 5`, `SORT l BY w_*`),
	dc("SORT/by_pattern_middle", `RPUSH l a b`, `MSET pre_a_post 2 pre_b_post 1`, `SORT l BY pre_*_post`, `SORT l BY pre_*_post GET pre_*_post`),
	dc("SORT/nosort_list", `RPUSH l 3 1 2 5 4`, `SORT l BY nosort`, `SORT l BY nosort DESC`, `SORT l BY nosort LIMIT 1 2`,
		`SORT l BY nosort DESC LIMIT 1 2`, `SORT l BY nosort LIMIT 4 5`, `SORT l BY nosort DESC LIMIT 10 1`,
		`SORT l BY nosort LIMIT -3 2`, `SORT l BY nokey GET #`),
	dc("SORT/get", `RPUSH l 1 2 3`, `MSET o_1 one o_3 three`, `SORT l GET o_*`, `SORT l GET o_* GET #`,
		`SORT l GET nostar`, `SORT l GET # GET #`, `SORT l GET o_*->field`, `RPUSH o_2 x`, `SORT l GET o_*`),
	dc("SORT/get_hash_field_on_string", `RPUSH l 1`, `SET h_1 v`, `SORT l GET h_*->f`, `SORT l GET h_*->`, `SET h_1-> w`, `SORT l GET h_*->`),
	dc("SORT/store", `RPUSH l 3 1 2`, `SORT l STORE dst`, `LRANGE dst 0 -1`, `TYPE dst`, `SORT l DESC STORE l`, `LRANGE l 0 -1`),
	dc("SORT/store_get", `RPUSH l 1 2 3`, `MSET o_1 one o_3 three`, `SORT l GET o_* GET # STORE dst`, `LRANGE dst 0 -1`, `LLEN dst`),
	dc("SORT/store_replaces", `RPUSH l 2 1`, `SET dst str`, `EXPIRE dst 100`, `SORT l STORE dst`, `TYPE dst`, `TTL dst`,
		`SADD s x`, `SORT l STORE s`, `TYPE s`, `LRANGE s 0 -1`),
	dc("SORT/store_empty_deletes", `SET dst v`, `SORT nokey STORE dst`, `EXISTS dst`, `RPUSH l 1`, `RPUSH dst2 x`,
		`SORT l LIMIT 5 5 STORE dst2`, `EXISTS dst2`),
	dc("SORT/set", `SADD s 3 1 2 10`, `SORT s`, `SORT s DESC`, `SORT s LIMIT 1 2`, `SADD t b a c`, `SORT t ALPHA`, `SORT t`,
		`SORT t ALPHA DESC LIMIT 0 2`),
	dc("SORT/set_nosort_store", `SADD s b c a 1`, `SORT s BY nosort STORE dst`, `LRANGE dst 0 -1`, `SADD n 3 1 2`,
		`SORT n BY nosort STORE dst2`, `LRANGE dst2 0 -1`, `SORT n BY nosort DESC STORE dst3`, `LRANGE dst3 0 -1`),
	dc("SORT/zset", `ZADD z 1 c 2 b 3 a 4 10`, `SORT z ALPHA`, `SORT z BY nosort`, `SORT z BY nosort DESC`,
		`SORT z BY nosort LIMIT 1 2`, `SORT z BY nosort DESC LIMIT 1 2`, `SORT z BY nosort LIMIT 3 10`, `ZADD n 1 30 2 10 3 20`, `SORT n`, `SORT n DESC LIMIT 0 1`),
	dc("SORT/zset_store", `ZADD z 1 c 2 b 3 a`, `SORT z BY nosort STORE dst`, `LRANGE dst 0 -1`, `SORT z ALPHA STORE dst`, `LRANGE dst 0 -1`),
	dc("SORT/zset_encoding", `ZADD z 1 a 2 b`, `OBJECT ENCODING z`, `SORT_RO z ALPHA`, `OBJECT ENCODING z`, `ZADD y 1 a`,
		`SORT y`, `OBJECT ENCODING y`, `ZADD x 1 a`, `SORT x FOO`, `OBJECT ENCODING x`, `ZREM z a b`, `ZADD z 1 a`, `OBJECT ENCODING z`),
	dc("SORT/multi", `RPUSH l 2 1`, `MULTI`, `SORT l`, `SORT l STORE dst`, `LRANGE dst 0 -1`, `SORT l BY ""`, `SORT l BY "" GET ""`, `EXEC`),
	dc("SORT/empty_key_in_multi", `RPUSH "" 3 1 2`, `MULTI`, `SORT ""`, `SORT "" BY nosort STORE ""`, `LRANGE "" 0 -1`, `LMPOP 1 "" LEFT`, `EXEC`),
	dc("SORT/watch", `RPUSH l 2 1`, `WATCH dst`, `2> SORT l STORE dst`, `MULTI`, `PING`, `EXEC`),
	dc("SORT/binary", `RPUSH l "a\x00b" "a\x00a" "a"`, `SORT l ALPHA`, `SORT l ALPHA STORE d`, `LRANGE d 0 -1`, `SET "w_a\x00b" 1`, `SORT l BY w_* GET w_*`),
}
