package load

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// rowHash returns the change detector stored in row_hash: an MD5 over the
// row's values with their types and lengths, so no two different rows
// encode alike (NULL differs from "", "ab","c" from "a","bc"). Raw JSON is
// compared byte for byte. It is computed here rather than in SQL because
// rendering rows as text in the database costs more than the merge itself.
func rowHash(buf []byte, vals []any) ([16]byte, []byte) {
	buf = buf[:0]
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			buf = append(buf, 0)
		case string:
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(len(x)))
			buf = append(buf, x...)
		case bool:
			if x {
				buf = append(buf, 2, 1)
			} else {
				buf = append(buf, 2, 0)
			}
		case int32:
			buf = append(buf, 3)
			buf = binary.BigEndian.AppendUint32(buf, uint32(x))
		case int64:
			buf = append(buf, 4)
			buf = binary.BigEndian.AppendUint64(buf, uint64(x))
		case float64:
			buf = append(buf, 5)
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(x))
		case time.Time:
			buf = append(buf, 6)
			buf = binary.BigEndian.AppendUint64(buf, uint64(x.UnixMicro()))
		case []byte:
			buf = append(buf, 7)
			buf = binary.AppendUvarint(buf, uint64(len(x)))
			buf = append(buf, x...)
		case []string:
			buf = append(buf, 8)
			buf = binary.AppendUvarint(buf, uint64(len(x)))
			for _, e := range x {
				buf = binary.AppendUvarint(buf, uint64(len(e)))
				buf = append(buf, e...)
			}
		default:
			// Only the types the row types produce reach here.
			panic(fmt.Sprintf("load: rowHash: unsupported value type %T", v))
		}
	}
	return md5.Sum(buf), buf
}
