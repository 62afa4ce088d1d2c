package main

import (
	"strings"
	"testing"
)

// FuzzReadUsers: any input gives user IDs without surrounding white space,
// or an error; never a panic.
func FuzzReadUsers(f *testing.F) {
	f.Add("10001\n10002\n")
	f.Add("user_id\nu1\n")
	f.Add("name,user_id\n\"a,b\",u2\n")
	f.Add("\ufeffuser_id,x\nu3,1\n")
	f.Add("a,\"unterminated\n")
	f.Add("# comment\n\n  spaced  \n")
	f.Fuzz(func(t *testing.T, in string) {
		users, err := readUsers(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, u := range users {
			if u == "" || strings.TrimSpace(u) != u {
				t.Fatalf("readUsers(%q) gave user %q", in, u)
			}
		}
	})
}

func TestReadUsers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10001\n 10002 \n\n# c\n", "10001|10002"},
		{"user_id\nu1\nu2\n", "u1|u2"},
		{"name,user_id\n\"a,b\",u2\nc,\n", "u2"},
		{"\ufeffuser_id,x\nu3,1\n", "u3"},
		{"\ufeffuser_id\nu4\n", "u4"},
		{"\ufeffu5\n", "u5"},
	}
	for _, tt := range tests {
		users, err := readUsers(strings.NewReader(tt.in))
		if got := strings.Join(users, "|"); err != nil || got != tt.want {
			t.Errorf("readUsers(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
