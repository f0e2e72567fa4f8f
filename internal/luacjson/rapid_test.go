package luacjson

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"pgregory.net/rapid"

	"github.com/keeldb/keel/internal/lauxlib/difftest"
)

// genValue draws a Lua value that cjson can encode and whose decode is
// the same value: numbers with at most 14 significant digits (encode
// prints 14), dense arrays, string-keyed objects, null, any byte strings.
func genValue(L *lua.LState, null lua.LValue, depth int) *rapid.Generator[lua.LValue] {
	return rapid.Custom(func(t *rapid.T) lua.LValue {
		kinds := 5
		if depth < 4 {
			kinds = 7
		}
		switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
		case 0:
			return null
		case 1:
			return lua.LBool(rapid.Bool().Draw(t, "bool"))
		case 2:
			digits := rapid.StringMatching(`[1-9][0-9]{0,13}`).Draw(t, "digits")
			exp := rapid.IntRange(-320, 290).Draw(t, "exp")
			sign := rapid.SampledFrom([]string{"", "-"}).Draw(t, "sign")
			f, err := strconv.ParseFloat(fmt.Sprintf("%s%se%d", sign, digits, exp), 64)
			if err != nil || f == 0 {
				f = 0
			}
			return lua.LNumber(f)
		case 3, 4:
			return lua.LString(string(rapid.SliceOfN(rapid.Byte(), 0, 20).Draw(t, "str")))
		case 5:
			n := rapid.IntRange(1, 5).Draw(t, "len")
			tb := L.NewTable()
			for i := 1; i <= n; i++ {
				tb.RawSetInt(i, genValue(L, null, depth+1).Draw(t, "elem"))
			}
			return tb
		default:
			n := rapid.IntRange(0, 5).Draw(t, "len")
			tb := L.NewTable()
			for i := 0; i < n; i++ {
				// A non-numeric prefix keeps the table an object.
				k := "k" + string(rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "key"))
				tb.RawSetString(k, genValue(L, null, depth+1).Draw(t, "member"))
			}
			return tb
		}
	})
}

func TestRoundTrip(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L)
	mod := L.GetGlobal("cjson").(*lua.LTable)
	null := mod.RawGetString("null")
	call := func(name string, arg lua.LValue) (lua.LValue, error) {
		if err := L.CallByParam(lua.P{Fn: mod.RawGetString(name), NRet: 1, Protect: true}, arg); err != nil {
			return nil, err
		}
		v := L.Get(-1)
		L.Pop(1)
		return v, nil
	}
	rapid.Check(t, func(t *rapid.T) {
		v := genValue(L, null, 0).Draw(t, "value")
		text, err := call("encode", v)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := call("decode", text)
		if err != nil {
			t.Fatalf("decode %q: %v", text, err)
		}
		if !difftest.LuaEqual(v, back) {
			t.Fatalf("round trip of %s gave %s", text, dump(back))
		}
		again, err := call("encode", back)
		if err != nil || len(again.String()) != len(text.String()) {
			t.Fatalf("re-encoding differs: %q vs %q (%v)", again, text, err)
		}
	})
}

func dump(v lua.LValue) string {
	t, ok := v.(*lua.LTable)
	if !ok {
		return fmt.Sprintf("%q", v.String())
	}
	var parts []string
	t.ForEach(func(k, v lua.LValue) { parts = append(parts, dump(k)+"="+dump(v)) })
	return "{" + strings.Join(parts, ",") + "}"
}
