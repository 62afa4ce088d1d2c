package volcengine_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// Page through one user's conversations, here served by the simulator.
func ExampleClient_FetchPage() {
	sim, err := volcsim.Start(volcsim.Options{})
	if err != nil {
		panic(err)
	}
	defer sim.Close()

	guard := providers.NewGuard("example", providers.GuardConfig{}, slog.New(slog.DiscardHandler))
	c, err := volcengine.NewClient(&http.Client{}, guard, volcsim.TestCredentials(), volcengine.Config{Endpoint: sim.URL})
	if err != nil {
		panic(err)
	}
	job := schemas.Job{App: "123456", UserID: simulator.UserTwentyOne}
	cursor, pages, conversations := "", 0, 0
	for {
		page, err := c.FetchPage(context.Background(), job, cursor)
		if err != nil {
			panic(err)
		}
		pages++
		conversations += len(page.Conversations)
		if page.Done {
			break
		}
		cursor = page.Next
	}
	fmt.Println(pages, "pages,", conversations, "conversations")
	// Output: 2 pages, 21 conversations
}

// Sign reproduces the first test vector of docs/providers.md §1.5.
func ExampleSign() {
	body := []byte(`{"AppId":123456,"ParticipantUserId":10001,"DataType":0,"Cursor":0,"Limit":20}`)
	hash := volcengine.HashBody(body)
	h := http.Header{}
	h.Set("Host", "rtc.volcengineapi.com")
	h.Set("Content-Type", "application/json")
	h.Set(volcengine.HeaderDate, "20240102T030405Z")
	h.Set(volcengine.HeaderContentSHA256, hash)
	s := volcengine.Sign(volcengine.Signable{
		Method: "POST", Path: "/", Header: h, BodySHA256: hash,
		Query: url.Values{"Action": {"GetUserConversations"}, "Version": {"2020-12-01"}},
	}, volcengine.Scope{Date: "20240102T030405Z", Region: "cn-north-1", Service: "rtc"},
		"AKLTexampleAccessKeyId", "exampleSecretAccessKey==")
	fmt.Println(s.SignedHeaders)
	fmt.Println(s.Signature)
	// Output:
	// content-type;host;x-content-sha256;x-date
	// b4ed56fb6648b59bde8575742597c9255873a2f211da54a1817b7135000193b4
}
