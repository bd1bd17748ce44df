package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// A cursor names the last user of the previous page of one job. It is
// opaque to clients: base64url of
//
//	version(1) kind(1) uvarint(len(jobID)) jobID uvarint(len(userID)) userID mac(16)
//
// where mac is an HMAC-SHA256 under a key drawn when the Service is made.
// Keying the position on the last user id rather than on an offset means a
// user added or removed between two pages neither duplicates nor skips
// anyone else.
const (
	cursorVersion = 1
	cursorMACLen  = 16
)

var errBadCursor = errors.New("cursor is not valid for this job")

type cursorCodec struct{ key []byte }

func (c cursorCodec) mac(b []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(b)
	return h.Sum(nil)[:cursorMACLen]
}

func (c cursorCodec) encode(kind jobKind, jobID, lastUser string) string {
	b := make([]byte, 0, 8+len(jobID)+len(lastUser)+cursorMACLen)
	b = append(b, cursorVersion, byte(kind))
	b = binary.AppendUvarint(b, uint64(len(jobID)))
	b = append(b, jobID...)
	b = binary.AppendUvarint(b, uint64(len(lastUser)))
	b = append(b, lastUser...)
	b = append(b, c.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decode returns the last user id a cursor of the given job names.
func (c cursorCodec) decode(kind jobKind, jobID, cursor string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 2+cursorMACLen {
		return "", errBadCursor
	}
	body, sum := b[:len(b)-cursorMACLen], b[len(b)-cursorMACLen:]
	if !hmac.Equal(sum, c.mac(body)) {
		return "", errBadCursor
	}
	if body[0] != cursorVersion || jobKind(body[1]) != kind {
		return "", errBadCursor
	}
	rest := body[2:]
	id, rest, ok := field(rest)
	if !ok || id != jobID {
		return "", errBadCursor
	}
	user, rest, ok := field(rest)
	if !ok || user == "" || len(rest) != 0 {
		return "", errBadCursor
	}
	return user, nil
}

// field reads one length-prefixed string.
func field(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}
