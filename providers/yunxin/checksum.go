package yunxin

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// CheckSum returns the CheckSum header of a request: the lowercase hex of
// SHA1(appSecret + nonce + curTime), plain concatenation without separator.
// curTime is the CurTime header, Unix seconds in decimal.
func CheckSum(appSecret, nonce, curTime string) string {
	h := sha1.New()
	h.Write([]byte(appSecret))
	h.Write([]byte(nonce))
	h.Write([]byte(curTime))
	return hex.EncodeToString(h.Sum(nil))
}

// sign sets the four authentication headers. Every attempt signs afresh: a
// retried request with an old Nonce would be rejected as a duplicate (431)
// and an old CurTime eventually as expired (414).
func sign(h http.Header, creds Credentials, nonce string, now time.Time) {
	cur := strconv.FormatInt(now.Unix(), 10)
	h.Set("AppKey", creds.AppKey)
	h.Set("Nonce", nonce)
	h.Set("CurTime", cur)
	h.Set("CheckSum", CheckSum(creds.AppSecret.Reveal(), nonce, cur))
}

// RandomNonce returns 32 lowercase hex characters from crypto/rand, the
// form the official SDKs send (a UUID without dashes). It is the default
// Config.Nonce.
func RandomNonce() string {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24
	return hex.EncodeToString(b[:])
}
