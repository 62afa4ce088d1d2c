package providers_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

func ExampleGuard_Do() {
	g := providers.NewGuard("main-account", providers.GuardConfig{QPS: 50}, nil)
	tries := 0
	err := g.Do(context.Background(), "GetUserConversations", func(ctx context.Context) error {
		tries++
		if tries == 1 {
			return &providers.Error{Provider: schemas.ProviderVolcengine, Op: "GetUserConversations",
				Class: schemas.ClassTransient, HTTPStatus: 500, Code: "InternalError"}
		}
		return nil
	})
	fmt.Println(err, tries)

	err = g.Do(context.Background(), "GetUserConversations", func(ctx context.Context) error {
		return &providers.Error{Provider: schemas.ProviderVolcengine, Op: "GetUserConversations",
			Class: schemas.ClassPermanent, HTTPStatus: 401, Code: "SignatureDoesNotMatch"}
	})
	fmt.Println(errors.Is(err, providers.ErrPermanent))
	// Output:
	// <nil> 2
	// true
}

func ExamplePages() {
	// counting serves three pages of one conversation each.
	f := counting{name: "conv", pages: 3, fail: -1}
	job := schemas.Job{JobID: "j1", Provider: schemas.ProviderYunxin, App: "app", UserID: "u1"}
	for page, err := range providers.Pages(context.Background(), f, job, "", 100) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(page.Conversations[0].ConversationID, page.Done)
	}
	// Output:
	// conv:0 false
	// conv:1 false
	// conv:2 true
}
