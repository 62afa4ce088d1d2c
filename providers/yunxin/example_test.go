package yunxin_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// Page through all conversations of a user, here served by the simulator.
func ExampleClient_FetchPage() {
	sim, err := yunxinsim.Start(yunxinsim.Options{})
	if err != nil {
		panic(err)
	}
	defer sim.Close()

	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	guard := providers.NewGuard("yunxin-main", providers.GuardConfig{}, log)
	creds := yunxin.Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: yunxinsim.TestAppSecret}
	client, err := yunxin.NewClient(&http.Client{Timeout: 30 * time.Second}, guard, creds,
		yunxin.Config{BaseURL: sim.URL, ListLimit: 20})
	if err != nil {
		panic(err)
	}

	job := schemas.Job{App: yunxinsim.TestAppKey, UserID: simulator.UserTwentyOne}
	total := 0
	for cursor := ""; ; {
		page, err := client.FetchPage(context.Background(), job, cursor)
		if err != nil {
			panic(err)
		}
		total += len(page.Conversations)
		fmt.Printf("page of %d, done %v\n", len(page.Conversations), page.Done)
		if page.Done {
			break
		}
		cursor = page.Next
	}
	fmt.Println("conversations:", total)
	// Output:
	// page of 20, done false
	// page of 1, done true
	// conversations: 21
}
