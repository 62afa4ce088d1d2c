// Package deadlettertest holds the dead-letter checks that the producer's
// and the exporter's tests share.
package deadlettertest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// Limit sets the dead-letter stream's max message size; -1 lifts it.
func Limit(t testing.TB, js jetstream.JetStream, size int32) {
	t.Helper()
	s, err := js.Stream(t.Context(), schemas.StreamDeadLetters)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	cfg.MaxMsgSize = size
	if _, err := js.UpdateStream(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
}

// CheckDigest fails unless dl describes data whole (size and SHA-256) and
// holds a prefix of it.
func CheckDigest(t testing.TB, dl schemas.DeadLetter, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	if dl.DataSize != len(data) || dl.DataSHA256 != hex.EncodeToString(sum[:]) || !bytes.HasPrefix(data, dl.Data) {
		t.Errorf("dead letter data_size %d data_sha256 %s, %d bytes of data; want %d, %x and a prefix of the original",
			dl.DataSize, dl.DataSHA256, len(dl.Data), len(data), sum)
	}
}
