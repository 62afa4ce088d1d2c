package e2e_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// duckDB runs query with DuckDB and returns its rows. DuckDB comes from the
// npm package @duckdb/node-api installed under $CHATLAKE_DUCKDB_DIR (.ci/run
// installs it); without it the caller's check is skipped.
func duckDB(t *testing.T, query string) []map[string]any {
	t.Helper()
	dir := os.Getenv("CHATLAKE_DUCKDB_DIR")
	api := filepath.Join(dir, "node_modules", "@duckdb", "node-api")
	if _, err := os.Stat(api); dir == "" || err != nil {
		t.Skip("DuckDB not installed: set CHATLAKE_DUCKDB_DIR to a folder with node_modules/@duckdb/node-api (see .ci/run)")
	}
	script, err := filepath.Abs(filepath.Join("testdata", "duckdb_query.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "node", script, query)
	cmd.Env = append(os.Environ(), "DUCKDB_NODE_API="+api)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("duckdb %q: %v\n%s", query, err, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("duckdb output %q: %v", out, err)
	}
	return rows
}
