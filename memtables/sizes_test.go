package memtables

import "unsafe"

func unsafeSizeofEntry() uintptr { return unsafe.Sizeof(Entry{}) }
