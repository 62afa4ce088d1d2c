package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/providers/imsim"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// run serves both simulators until ctx is done, then shuts down within
// the shutdown timeout. It prints the URL and credentials to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	h, err := newHandler(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	printBanner(stderr, "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("imsim stopped")
	return nil
}

func newHandler(cfg config) (http.Handler, error) {
	return imsim.New(imsim.Options{
		Seed: cfg.seed, FaultSeed: cfg.faultSeed, VolcengineQPS: cfg.volcengineQPS, YunxinQPS: cfg.yunxinQPS,
		Latency: cfg.latency, Rates: cfg.rates, MissingUserPrefix: cfg.missingPrefix, ShortNames: cfg.shortNames,
	})
}

// printBanner tells a user how to reach both simulators. The credentials
// are the simulators' synthetic test values, not secrets.
func printBanner(w io.Writer, url string) {
	fmt.Fprintf(w, "imsim listening on %s\n\n", url)
	fmt.Fprintf(w, "Volcengine (POST %s/?Action=GetUserConversations&Version=2020-12-01)\n", url)
	fmt.Fprintf(w, "  endpoint:          %s\n  region:            %s\n", url, volcengine.DefaultRegion)
	fmt.Fprintf(w, "  access key id:     %s\n  secret access key: %s\n", volcsim.TestAccessKeyID, volcsim.TestSecretAccessKey)
	fmt.Fprintf(w, "  app id:            %s\n\n", strconv.Itoa(int(volcsim.TestAppID)))
	fmt.Fprintf(w, "Yunxin (GET %s%s)\n", url, yunxinsim.PathList)
	fmt.Fprintf(w, "  base url:          %s\n", url)
	fmt.Fprintf(w, "  app key / secret:  %s / %s\n", yunxinsim.TestAppKey, yunxinsim.TestAppSecret)
	fmt.Fprintf(w, "  app key / secret:  %s / %s\n\n", yunxinsim.TestAppKey2, yunxinsim.TestAppSecret2)
	fmt.Fprintf(w, "Users with fixed sizes: %s (0), %s (1), %s (20), %s (21), %s (350)\n",
		simulator.UserEmpty, simulator.UserOne, simulator.UserTwenty, simulator.UserTwentyOne, simulator.UserMany)
}
