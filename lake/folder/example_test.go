package folder_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/folder"
)

// The wiring layer registers the drivers once, then opens the lake its
// configuration names; an object is invisible until it is published.
func ExampleRegister() {
	dir, err := os.MkdirTemp("", "lake-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	var drivers lake.Registry
	folder.Register(&drivers)
	s, err := drivers.Open(ctx, dir)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	obj, _ := s.Create(ctx, "conversations/dt=2026-12-01/part-1-a-0.parquet")
	io.WriteString(obj, "PAR1…")
	ref, _ := obj.Finish(ctx)
	before, _ := s.List(ctx, "conversations/")
	s.Publish(ctx, []lake.Ref{ref})
	after, _ := s.List(ctx, "conversations/")
	fmt.Println(before)
	fmt.Println(after)
	// Output:
	// []
	// [conversations/dt=2026-12-01/part-1-a-0.parquet]
}
