package exporter

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/parquet-go/parquet-go/compress/zstd"
)

// page returns n bytes of JSON-ish rows, compressible like a lake's pages.
func page(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, `{"conversation_id":"%d","name":"group %x","unread":%d,"extra":"%x"}`, r.Uint64(), r.Uint32(), r.IntN(100), r.Uint64())
	}
	return b.Bytes()[:n]
}

// TestPageCodecMatchesParquetZstd: pages the exporter's codec compresses
// decode with parquet-go's zstd codec (as readers will), to the same
// bytes, and compress as well as with the 8 MiB default window, for pages
// up to twice parquet-go's page buffer and beyond the window.
func TestPageCodecMatchesParquetZstd(t *testing.T) {
	ref := &zstd.Codec{Level: zstd.SpeedDefault}
	for i, n := range []int{0, 1, 100, 256 << 10, 512 << 10, 3 << 20} {
		src := page(n, uint64(i))
		got, err := pageCodec.Encode(nil, src)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := ref.Decode(nil, got)
		if err != nil {
			t.Fatalf("%d bytes: decode: %v", n, err)
		}
		if !bytes.Equal(dec, src) {
			t.Fatalf("%d bytes: round trip differs", n)
		}
		want, _ := ref.Encode(nil, src)
		if n <= 512<<10 && len(got) > len(want)+16 {
			t.Errorf("%d bytes: %d compressed, parquet-go's codec %d", n, len(got), len(want))
		}
		t.Logf("%d bytes: %d compressed, parquet-go's codec %d", n, len(got), len(want))
	}
	if pageCodec.String() != ref.String() || pageCodec.CompressionCodec() != ref.CompressionCodec() {
		t.Errorf("codec %s/%v, want %s/%v", pageCodec, pageCodec.CompressionCodec(), ref, ref.CompressionCodec())
	}
}

// BenchmarkPageCodecEncode compresses one 256 KiB page with the exporter's
// codec and with a new parquet-go codec each time, as the exporter made
// one per epoch: B/op shows an encoder's history.
func BenchmarkPageCodecEncode(b *testing.B) {
	src := page(256<<10, 1)
	b.Run("window=1MiB,shared", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		var dst []byte
		for b.Loop() {
			dst, _ = pageCodec.Encode(dst, src)
		}
	})
	b.Run("parquet-go,new", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		var dst []byte
		for b.Loop() {
			c := &zstd.Codec{Level: zstd.SpeedDefault}
			dst, _ = c.Encode(dst, src)
		}
	})
}
