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

	obj, err := s.Create(ctx, "conversations/dt=2026-12-01/part-1-a-0.parquet")
	if err != nil {
		panic(err)
	}
	if _, err := io.WriteString(obj, "PAR1…"); err != nil {
		panic(err)
	}
	ref, err := obj.Finish(ctx) // durable, still hidden
	if err != nil {
		panic(err)
	}
	before, err := s.List(ctx, "conversations/")
	if err != nil {
		panic(err)
	}
	if err := s.Publish(ctx, []lake.Ref{ref}); err != nil {
		panic(err)
	}
	after, err := s.List(ctx, "conversations/")
	if err != nil {
		panic(err)
	}
	fmt.Println(before)
	fmt.Println(after)
	// Output:
	// []
	// [conversations/dt=2026-12-01/part-1-a-0.parquet]
}
