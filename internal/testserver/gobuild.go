package testserver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// CacheDir is the folder of a program kept between runs,
// <user cache>/chatlake-<name>-<version>; .ci/run builds into the same
// folders.
func CacheDir(name, version string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "chatlake-"+name+"-"+version), nil
}

// GoBinary returns the program name built from module@version (go
// install) in its CacheDir, building it first if needed. The build goes
// to a private folder renamed into place, so test binaries of several
// packages building at once never see a half-written file.
func GoBinary(name, module, version string) (string, error) {
	dir, err := CacheDir(name, version)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", module+"@"+version)
	cmd.Dir = tmp // outside any module, so go.mod of the caller does not matter
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %w\n%s", module, version, err, out.String())
	}
	if err := os.Rename(filepath.Join(tmp, name), bin); err != nil {
		return "", err
	}
	return bin, nil
}
