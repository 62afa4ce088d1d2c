package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// demoRows runs the demo and returns its summary's row count, checking
// that every job is done and nothing was dead-lettered.
func demoRows(t *testing.T, dir string, args ...string) int {
	t.Helper()
	var out, errOut bytes.Buffer
	sio := &stdio{getenv: func(string) string { return "" }, stdin: bytes.NewReader(nil), stdout: &out, stderr: &errOut}
	if err := run(t.Context(), append([]string{"demo", "--dir", dir}, args...), sio); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	for _, want := range []string{`failed 0\n`, `dead letters   0\n`, `duckdb -c`} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	m := regexp.MustCompile(`lake +(\d+) rows in (\d+) Parquet files`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("demo output has no lake line:\n%s", s)
	}
	rows, _ := strconv.Atoi(m[1])
	return rows
}

// expectedRows is how many conversations the simulators serve the demo's
// first n users.
func expectedRows(n int, seed uint64) int {
	ds := simulator.Dataset{Seed: seed}
	total := 0
	for _, u := range demoUsers(n) {
		total += len(volcsim.Expected(ds, volcsim.TestAppID, u, 0)) + len(yunxinsim.Expected(ds, yunxinsim.TestAppKey, u))
	}
	return total
}

func TestDemoExportsEveryConversationOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	got := demoRows(t, dir, "--users", "25", "--seed", "7")
	if want := expectedRows(25, 7); got != want {
		t.Errorf("demo lake rows = %d, want %d (the simulators' data set)", got, want)
	}
	// A second demo in the same folder starts afresh instead of adding to it.
	if got := demoRows(t, dir, "--users", "3", "--seed", "7"); got != expectedRows(3, 7) {
		t.Errorf("second demo lake rows = %d, want %d", got, expectedRows(3, 7))
	}
}

func TestDemoRefusesAForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	sio := &stdio{getenv: func(string) string { return "" }, stdin: bytes.NewReader(nil), stdout: &out, stderr: &errOut}
	if err := run(t.Context(), []string{"demo", "--dir", dir, "--users", "1"}, sio); err == nil {
		t.Fatal("demo in a foreign non-empty folder succeeded, want an error")
	}
	if _, err := os.Stat(filepath.Join(dir, "precious.txt")); err != nil {
		t.Errorf("the foreign folder's file is gone: %v", err)
	}
}
