package main

import (
	"os/exec"
	"strings"
	"testing"
)

// lakeImports are the packages the producer must not link: it never
// touches the lake, and these cost it most of its size, start-up time and
// memory (iceberg-go's substrait package alone took ~74 ms of CPU in init;
// BENCHMARKS.md). A path is forbidden if it is one of these or below one.
var lakeImports = []string{
	"github.com/apache/iceberg-go",
	"github.com/apache/arrow-go",
	"github.com/substrait-io",
	"github.com/aws/aws-sdk-go-v2",
	"cloud.google.com/go/storage",
	"github.com/Azure/azure-sdk-for-go",
	"github.com/chatlake/chatlake/lake",
	"github.com/chatlake/chatlake/pipeline/exporter",
	"github.com/chatlake/chatlake/internal/stack/lakestack",
}

// TestProducerLinksNoLake lists the packages the producer binary links
// (go list -deps, the go tool that runs the test) and fails on any lake
// package: the lake side of the wiring is internal/stack/lakestack, and
// pipeline/runs marks the lake through its Marker interface only.
func TestProducerLinksNoLake(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool: %v (go test puts it on PATH)", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || deps[len(deps)-1] != "github.com/chatlake/chatlake/cmd/producer" {
		t.Fatalf("go list -deps listed %d packages, not ending with the producer's: %.200q", len(deps), out)
	}
	for _, f := range lakeImports {
		var linked []string
		for _, d := range deps {
			if d == f || strings.HasPrefix(d, f+"/") {
				linked = append(linked, d)
			}
		}
		if len(linked) > 0 {
			t.Errorf("the producer links %s (and %d more packages of %s)", linked[0], len(linked)-1, f)
		}
	}
}
