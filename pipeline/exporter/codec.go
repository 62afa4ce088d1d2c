package exporter

import (
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// zstdWindow bounds the zstd window of the pages the exporter writes.
// Each page is compressed on its own (EncodeAll), and pages hold about
// parquet.DefaultPageBufferSize (256 KiB) of values, so a larger window
// finds nothing more; klauspost's default of 8 MiB made every encoder
// hold 8 MiB of history.
const zstdWindow = 1 << 20

// zstdCodec is parquet-go's zstd codec with a bounded window and one pool
// of encoders for every file of the process: parquet-go's own codec keeps
// its encoders per codec value, which the exporter made per epoch. It
// decodes with parquet-go's.
type zstdCodec struct {
	zstd.Codec
	level    kzstd.EncoderLevel
	encoders sync.Pool
}

// pageCodec is the codec of every zstd file the exporter writes.
var pageCodec = &zstdCodec{level: kzstd.SpeedDefault}

// Encode compresses src into a zstd frame, as zstd.Codec does.
func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.encoders.Get().(*kzstd.Encoder)
	if e == nil {
		var err error
		e, err = kzstd.NewWriter(nil,
			kzstd.WithEncoderConcurrency(1),
			kzstd.WithEncoderLevel(c.level),
			kzstd.WithWindowSize(zstdWindow),
			kzstd.WithZeroFrames(true),
			kzstd.WithEncoderCRC(false),
		)
		if err != nil {
			return dst[:0], err
		}
	}
	defer c.encoders.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}
