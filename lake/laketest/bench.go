package laketest

import (
	"testing"

	"github.com/chatlake/chatlake/lake"
)

// BenchmarkWrite measures writing one object of size bytes in 64 KiB
// writes (about a Parquet page each), finishing and publishing it: the
// work of one lake file of an epoch. Each iteration rewrites the same
// name, so the lake does not grow with b.N.
func BenchmarkWrite(b *testing.B, s lake.Storage, size int) {
	const chunk = 64 << 10
	data := randomBytes(1, chunk)
	ctx := b.Context()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		obj, err := s.Create(ctx, "bench/part-0.parquet")
		if err != nil {
			b.Fatal(err)
		}
		for left := size; left > 0; left -= chunk {
			if _, err := obj.Write(data[:min(chunk, left)]); err != nil {
				b.Fatal(err)
			}
		}
		ref, err := obj.Finish(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Publish(ctx, []lake.Ref{ref}); err != nil {
			b.Fatal(err)
		}
	}
}
