package simulator

import (
	"encoding/binary"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Users of the data set with fixed sizes: the edges of paging. Every other
// user ID has a size derived from its hash (0 to 40 conversations).
const (
	UserEmpty     = "100000" // 0 conversations
	UserOne       = "100001" // 1
	UserTwenty    = "100020" // 20: exactly one Volcengine page
	UserTwentyOne = "100021" // 21: one page and one more
	UserMany      = "100350" // 350: many pages
	// UserFixture has no conversations in the data set: each simulator
	// serves its hand-written wire fixture (testdata/fixture/*.json of
	// volcsim and yunxinsim) for this user instead, byte for byte.
	UserFixture = "100777"
)

// SizedUsers lists the fixed-size users with their sizes.
var SizedUsers = map[string]int{UserEmpty: 0, UserOne: 1, UserTwenty: 20, UserTwentyOne: 21, UserMany: 350}

// Dataset is the deterministic data set a simulator serves: the same seed
// gives the same conversations for the same user, in any process. The zero
// value is a valid data set with seed 0.
type Dataset struct {
	Seed uint64
	// MissingPrefix, when not empty, makes every user ID that starts with
	// it a user that does not exist: each simulator answers its
	// provider's "no such user" error (docs/providers.md) instead of a
	// list.
	MissingPrefix string
	// ShortNames gives the group conversations realistic names: the data
	// set's multi-kilobyte name (9,000 bytes, in about one conversation of
	// eleven, and 70% of the data set's bytes) becomes 90 bytes, as real
	// group names are (the providers cap them at a few hundred bytes).
	// Every other hard case stays: Chinese, emoji, escapes, NUL, empty.
	ShortNames bool
}

// Exists reports whether userID is a user of the data set.
func (d Dataset) Exists(userID string) bool {
	return d.MissingPrefix == "" || !strings.HasPrefix(userID, d.MissingPrefix)
}

// Count returns how many conversations userID has.
func (d Dataset) Count(userID string) int {
	if n, ok := SizedUsers[userID]; ok {
		return n
	}
	if userID == UserFixture {
		return 0
	}
	return int(d.hash(userID, 0) % 41)
}

// Spec is one conversation of the data set, in provider-neutral form. Each
// simulator renders it in its own wire format.
type Spec struct {
	Index int    // position in the user's list, 0-based
	ID    int64  // numeric conversation ID; some above 2^53
	Type  int32  // 1 one-to-one, 2 group, 3 super group
	Name  string // Chinese, emoji, empty, multi-kilobyte
	// Peer is the other user (type 1) or the team ID (types 2, 3).
	Peer      int64
	Owner     int64
	Creator   int64
	Dissolved bool // Volcengine Status 1
	Revoked   bool // Yunxin message_state 1 with a revoke notification
	Pinned    bool
	Created   time.Time // UTC, whole seconds
	Modified  time.Time // UTC, whole seconds, after Created
	Ext       map[string]string
	Text      string // last message text
	Unread    int64
	Members   int64
}

// hardNames cycle through the names of group conversations.
var hardNames = []string{
	"项目讨论组",
	"🎉 Launch party 🚀👩‍👩‍👧",
	"",
	"O'Brien \"quoted\" \\ back\\slash\n\ttab",
	strings.Repeat("长", 3000), // 9,000 bytes of UTF-8
	"Ünïcödé — ελληνικά — العربية",
	"<script>alert(1)</script>",
	"a\u0000nul",
}

// shortNames are hardNames with a realistic long name (Dataset.ShortNames).
var shortNames = func() []string {
	s := append([]string(nil), hardNames...)
	s[4] = strings.Repeat("长", 30)
	return s
}()

// Conversation returns the i-th conversation of userID.
func (d Dataset) Conversation(userID string, i int) Spec {
	h := d.hash(userID, uint64(i)+1)
	s := Spec{Index: i}
	// Every 7th ID is above 2^53, where float64 loses digits.
	s.ID = int64(h>>2) % (1 << 40)
	if i%7 == 3 {
		s.ID = (1 << 53) + int64(h%(1<<60)) + 1
	}
	s.Type = int32(1 + h%3)
	s.Peer = int64(h>>8)%1_000_000 + 200_000
	if i%5 == 2 {
		s.Peer = (1 << 62) + int64(h%1000)
	}
	s.Owner = userNumber(userID)
	s.Creator = s.Owner
	if s.Type != 1 {
		names := hardNames
		if d.ShortNames {
			names = shortNames
		}
		s.Name = names[(i+int(h%3))%len(names)]
		s.Creator = s.Peer
	}
	s.Dissolved = s.Type != 1 && i%6 == 5
	s.Revoked = i%4 == 1
	s.Pinned = i%9 == 0
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Created = base.Add(time.Duration(h%(3*365*24*3600)) * time.Second)
	s.Modified = s.Created.Add(time.Duration(h%(30*24*3600)+1) * time.Second)
	s.Ext = map[string]string{"source": "imsim", "idx": strconv.Itoa(i)}
	if i%3 == 0 {
		s.Ext["标签"] = "重要 ⭐"
	}
	if i%8 == 0 {
		s.Ext = nil
	}
	s.Text = []string{"你好", "see you 👋", "", "ok"}[i%4]
	s.Unread = int64(h % 100)
	s.Members = 2
	if s.Type != 1 {
		s.Members = int64(3 + h%500)
	}
	return s
}

// Conversations returns all conversations of userID in index order.
func (d Dataset) Conversations(userID string) []Spec {
	n := d.Count(userID)
	out := make([]Spec, n)
	for i := range n {
		out[i] = d.Conversation(userID, i)
	}
	return out
}

func (d Dataset) hash(userID string, salt uint64) uint64 {
	f := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], d.Seed)
	binary.LittleEndian.PutUint64(b[8:], salt)
	f.Write(b[:])
	f.Write([]byte(userID))
	x := f.Sum64()
	// splitmix64 finalizer: FNV alone leaves low bits poorly mixed.
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// userNumber is the numeric form of a user ID, or 0 when it is not numeric.
func userNumber(userID string) int64 {
	n, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
