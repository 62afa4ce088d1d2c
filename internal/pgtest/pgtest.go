// Package pgtest runs a real PostgreSQL for tests: initdb into a temporary
// folder, the server on a random loopback port with password
// authentication, stopped at cleanup.
//
// The binaries come from $CHATLAKE_PG_BIN (a folder holding initdb and
// postgres; .ci/run sets it), else from the newest Debian install under
// /usr/lib/postgresql/*/bin, else from PATH. When none is found, tests
// skip, except under CI=true, where they fail.
//
// PostgreSQL refuses to run as root; when the test runs as root, initdb and
// the server run as the "postgres" system user (made by Debian's package),
// else as "nobody".
package pgtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/chatlake/chatlake/internal/testserver"
)

const (
	// EnvBin names the environment variable that points at the folder of
	// the PostgreSQL binaries.
	EnvBin = "CHATLAKE_PG_BIN"
	// User and Database are what the DSN logs in as and into.
	User     = "postgres"
	Database = "postgres"
)

// Server is a running PostgreSQL.
type Server struct {
	DSN      string // postgres://user:password@127.0.0.1:port/db?sslmode=disable
	Host     string
	Port     int
	User     string
	Password string
	Database string
	DataDir  string
}

// Start runs initdb and PostgreSQL in a fresh t.TempDir() and stops the
// server at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binDir(t)
	cred := credential(t)
	dir := t.TempDir()
	if cred != nil {
		ownDir(t, dir, cred)
	}
	s := &Server{Host: "127.0.0.1", User: User, Password: testserver.RandomHex(t, 16), Database: Database, DataDir: filepath.Join(dir, "data")}
	pwfile := filepath.Join(dir, "pwfile")
	writeOwned(t, pwfile, s.Password, cred)
	out, err := command(filepath.Join(bin, "initdb"), cred,
		"--pgdata", s.DataDir, "--username", s.User, "--pwfile", pwfile,
		"--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-sync").CombinedOutput()
	if err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	s.run(t, bin, cred)
	return s
}

// run starts the server on a free loopback port and waits until it accepts
// connections.
func (s *Server) run(t testing.TB, bin string, cred *syscall.Credential) {
	t.Helper()
	postgres := func(port int) *exec.Cmd {
		// No unix socket: its path would be too long under a test's
		// temporary folder, and TCP is what the exporter uses anyway.
		return command(filepath.Join(bin, "postgres"), cred,
			"-D", s.DataDir, "-p", strconv.Itoa(port),
			"-c", "listen_addresses="+s.Host,
			"-c", "unix_socket_directories=",
			"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
	}
	ready := func(port int) bool {
		return command(filepath.Join(bin, "pg_isready"), cred,
			"-q", "-h", s.Host, "-p", strconv.Itoa(port), "-U", s.User, "-d", s.Database).Run() == nil
	}
	s.Port = testserver.Start(t, "postgres", postgres, ready)
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.User, s.Password),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		Path:     "/" + s.Database,
		RawQuery: "sslmode=disable",
	}
	s.DSN = u.String()
}

// command runs name as cred's user when cred is not nil, with a minimal
// environment so no PG* variable of the caller changes what it does.
func command(name string, cred *syscall.Credential, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	return cmd
}

// credential returns the unprivileged user to run PostgreSQL as, or nil
// when the test does not run as root.
func credential(t testing.TB) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		}
	}
	t.Fatalf("pgtest: running as root and found no postgres or nobody user to run PostgreSQL as")
	return nil
}

// ownDir hands dir to cred's user. The test's own temporary folder above it
// is made traversable (not readable) so that user can reach dir.
func ownDir(t testing.TB, dir string, cred *syscall.Credential) {
	t.Helper()
	if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

func writeOwned(t testing.TB, path, content string, cred *syscall.Credential) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content+"\n"), 0o600); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if cred != nil {
		if err := os.Chown(path, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
}

// binDir finds the folder holding initdb, postgres and pg_isready.
func binDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(EnvBin); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			t.Fatalf("pgtest: $%s: %v", EnvBin, err)
		}
		return dir
	}
	if dir, ok := debianBinDir(); ok {
		return dir
	}
	if initdb, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(initdb)
	}
	testserver.Unavailable(t, "PostgreSQL", "install Debian's postgresql or set $"+EnvBin,
		fmt.Errorf("no initdb in $%s, /usr/lib/postgresql/*/bin or PATH", EnvBin))
	return ""
}

// debianBinDir returns the bin folder of the newest PostgreSQL major
// version installed by Debian's packages.
func debianBinDir() (string, bool) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	dirs = slices.DeleteFunc(dirs, func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "initdb"))
		return err != nil
	})
	if len(dirs) == 0 {
		return "", false
	}
	major := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	return slices.MaxFunc(dirs, func(a, b string) int { return major(a) - major(b) }), true
}
