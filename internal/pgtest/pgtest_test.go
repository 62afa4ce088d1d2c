package pgtest_test

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/chatlake/chatlake/internal/pgtest"
)

// TestSelectOne connects with the DSN through a pure-Go driver and runs a
// query.
func TestSelectOne(t *testing.T) {
	srv := pgtest.Start(t)
	if !strings.Contains(srv.DSN, "@127.0.0.1:") {
		t.Fatalf("DSN %q is not on loopback", srv.DSN)
	}
	db, err := sql.Open("pgx", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
}

// TestPasswordIsChecked shows the server authenticates, so the DSN's
// password is really used.
func TestPasswordIsChecked(t *testing.T) {
	srv := pgtest.Start(t)
	db, err := sql.Open("pgx", strings.Replace(srv.DSN, srv.Password, "wrong", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(t.Context()); err == nil {
		t.Fatal("ping with a wrong password succeeded")
	}
}
