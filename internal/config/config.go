package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/chatlake/chatlake/providers"
)

// Config is everything chatlake's commands can be told. The zero value of
// every field means the default stated in its help tag (or, where none is
// stated, the default of the package it configures).
type Config struct {
	Accounts []Account `yaml:"accounts"`
	NATS     NATS      `yaml:"nats"`
	Producer Producer  `yaml:"producer"`
	Streams  Streams   `yaml:"streams"`
	Guard    Guard     `yaml:"guard"`
	HTTP     HTTP      `yaml:"http"`
	Log      Log       `yaml:"log"`
	Exporter Exporter  `yaml:"exporter"`
}

// Account is one provider account: a Volcengine access key with its AppIds,
// or a Yunxin app (AppKey and AppSecret). Which key and secret settings an
// account uses is its provider's choice (providers.Provider's KeyField and
// SecretField); a provider with credentials of another name adds its
// settings here. Secrets come from exactly one of the inline value, *_file
// or *_env.
type Account struct {
	// Name labels logs and metrics; never a credential.
	Name     string `yaml:"name"`
	Provider string `yaml:"provider"` // a registered provider: volcengine or yunxin
	// Endpoint is the API base URL; empty means the provider's China
	// endpoint.
	Endpoint string `yaml:"endpoint"`
	// Region is the Volcengine signing region; empty means by endpoint.
	Region string `yaml:"region"`

	AccessKeyID         string `yaml:"access_key_id"`
	SecretAccessKey     Secret `yaml:"secret_access_key"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file"`
	SecretAccessKeyEnv  string `yaml:"secret_access_key_env"`

	AppKey        string `yaml:"app_key"`
	AppSecret     Secret `yaml:"app_secret"`
	AppSecretFile string `yaml:"app_secret_file"`
	AppSecretEnv  string `yaml:"app_secret_env"`

	// Apps are the Volcengine AppIds of the account; for Yunxin, empty or
	// just the AppKey.
	Apps []string `yaml:"apps"`
	// QPS is the account's request rate; 0 means the provider's 100.
	QPS float64 `yaml:"qps"`
}

// NATS says how to connect to NATS.
type NATS struct {
	URL      string `yaml:"url" help:"NATS server URLs, comma separated (default nats://127.0.0.1:4222)"`
	Name     string `yaml:"name" help:"connection name shown by the server (default the command name)"`
	User     string `yaml:"user" help:"user name"`
	Password Secret `yaml:"password" help:"password"`
	Token    Secret `yaml:"token" help:"authentication token"`
	Creds    string `yaml:"creds" help:"credentials file (JWT and NKey seed)"`
	NKey     string `yaml:"nkey" help:"NKey seed file"`
	TLSCA    string `yaml:"tls_ca" help:"CA certificate file to verify the server"`
	TLSCert  string `yaml:"tls_cert" help:"client certificate file"`
	TLSKey   string `yaml:"tls_key" help:"client key file"`
}

// Producer tunes the producer (see producer.Config).
type Producer struct {
	Concurrency     int           `yaml:"concurrency" help:"jobs running at once (default 32)"`
	Batch           int           `yaml:"batch" help:"most jobs fetched by one pull (default concurrency)"`
	AckWait         time.Duration `yaml:"ack_wait" help:"consumer ack wait; running jobs signal progress (default 30s)"`
	InProgressEvery time.Duration `yaml:"in_progress_every" help:"progress signal interval (default ack_wait/3)"`
	MaxAttempts     int           `yaml:"max_attempts" help:"failed attempts before a job is dead-lettered (default 5)"`
	RetryInitial    time.Duration `yaml:"retry_initial" help:"delay after the first failed attempt, doubling (default 1s)"`
	RetryMax        time.Duration `yaml:"retry_max" help:"longest retry delay (default 5m)"`
	PauseFor        time.Duration `yaml:"pause_for" help:"how long a provider app with an open breaker gets no jobs (default 5s)"`
	PublishWindow   int           `yaml:"publish_window" help:"events of a job awaiting the stream's ack (default 256)"`
	PublishTimeout  time.Duration `yaml:"publish_timeout" help:"wait for the stream's ack of one event before the job is handed back (default 30s)"`
	Grace           time.Duration `yaml:"grace" help:"time running jobs get to finish at shutdown (default 20s)"`
	MaxBacklog      int           `yaml:"max_backlog" help:"take no new jobs while more events than this wait for the exporter; 0 never (default 0; 100000 in chatlake run and the demo)"`
	MaxEventsPerSec int           `yaml:"max_events_per_second" help:"events published per second by this producer at most; 0 no limit (default 0; 3500 in chatlake run and the demo)"`
}

// Streams sizes the streams and buckets (see pipeline.StreamsConfig).
type Streams struct {
	Replicas              int           `yaml:"replicas" help:"replicas of every stream and bucket (default 1)"`
	ConversationsMaxAge   time.Duration `yaml:"conversations_max_age" help:"how long events are kept (default 168h)"`
	ConversationsMaxBytes int64         `yaml:"conversations_max_bytes" help:"events stream size limit in bytes (default unlimited)"`
	DuplicateWindow       time.Duration `yaml:"duplicate_window" help:"how long duplicate events and jobs are detected (default 2h)"`
	DeadLetterMaxAge      time.Duration `yaml:"dead_letter_max_age" help:"how long dead letters are kept (default 720h)"`
	StatusTTL             time.Duration `yaml:"status_ttl" help:"how long job status records are kept (default 720h)"`
	Partitions            int           `yaml:"partitions" help:"parts of the conversations stream, each exported by its own exporter; the same on every producer and exporter, fixed once they ran (default 1)"`
	// ConversationsRetention is RetentionLimits or RetentionExported.
	ConversationsRetention string `yaml:"conversations_retention" help:"limits: keep events for conversations_max_age; exported: delete them a duplicate_window after the exporter committed them and every consumer acknowledged them (default limits; exported in chatlake run and demo)"`
}

// Retentions of the conversations stream (streams.conversations_retention).
const (
	RetentionLimits   = "limits"
	RetentionExported = "exported"
)

// Guard tunes every provider account's retries and circuit breaker (see
// providers.GuardConfig).
type Guard struct {
	MaxAttempts     int           `yaml:"max_attempts" help:"tries of one provider call (default 4)"`
	AttemptTimeout  time.Duration `yaml:"attempt_timeout" help:"timeout of one HTTP attempt (default 10s)"`
	BreakerFailures int           `yaml:"breaker_failures" help:"consecutive failures that open a breaker (default 5)"`
	BreakerTimeout  time.Duration `yaml:"breaker_timeout" help:"how long a breaker stays open (default 30s)"`
}

// HTTP is the operations endpoint.
type HTTP struct {
	Addr string `yaml:"addr" help:"listen address of /metrics, /healthz, /readyz; \"off\" disables (default :9090)"`
	// Pprof serves Go's profiles at /debug/pprof/ on the same address:
	// off by default, since a profile shows the process's memory.
	Pprof bool `yaml:"pprof" help:"serve Go's profiles at /debug/pprof/ (default false)"`
}

// Log configures the JSON log on standard error.
type Log struct {
	Level string `yaml:"level" help:"debug, info, warn or error (default info)"`
}

// Exporter tunes the exporter (see exporter.Config).
type Exporter struct {
	Root           string        `yaml:"root" help:"the lake: a folder, s3://bucket/prefix?endpoint=URL&region=R&path_style=true, gs://bucket/prefix or azblob://container/prefix?account=A; files land under <root>/conversations/ (required)"`
	Compression    string        `yaml:"compression" help:"zstd, snappy or none (default zstd)"`
	MaxFileRows    int64         `yaml:"max_file_rows" help:"rows that close a file (default 1000000)"`
	MaxFileBytes   int64         `yaml:"max_file_bytes" help:"encoded bytes that close a file (default 134217728)"`
	MaxFileAge     time.Duration `yaml:"max_file_age" help:"age that closes a file (default 10m)"`
	IdleFlush      time.Duration `yaml:"idle_flush" help:"time without rows that closes a file (default 1m)"`
	MaxOpenFiles   int           `yaml:"max_open_files" help:"open partitions that close every file (default 16)"`
	MaxEpochEvents int64         `yaml:"max_epoch_events" help:"events awaiting their ack that close every file (default 250000)"`
	RowGroupRows   int64         `yaml:"row_group_rows" help:"rows of a row group (default 65536)"`
	RowGroupBytes  int64         `yaml:"row_group_bytes" help:"input bytes buffered per row group (default 33554432)"`
	Batch          int           `yaml:"batch" help:"events fetched by one pull (default 1000)"`
	DecodeWorkers  int           `yaml:"decode_workers" help:"goroutines decoding events (default 2)"`
	AckWait        time.Duration `yaml:"ack_wait" help:"consumer ack wait, above max_file_age (default 2*max_file_age+1m)"`
	Grace          time.Duration `yaml:"grace" help:"time the final flush and commit get at shutdown (default 20s)"`
	Lease          time.Duration `yaml:"lease" help:"the owner's hold on the commit record; a standby takes over when it lapses (default 15s)"`
	Part           string        `yaml:"part" help:"the parts of streams.partitions this exporter may own, one at a time: any, or numbers such as 2 or 0,1 (default any)"`
	// Format is how the lake is laid out: FormatParquet or FormatIceberg.
	Format  string    `yaml:"format" help:"parquet (Hive-style folders of Parquet files) or iceberg (an Apache Iceberg table) (default parquet)"`
	S3      LakeS3    `yaml:"s3"`
	GCS     LakeGCS   `yaml:"gcs"`
	Azure   LakeAzure `yaml:"azure"`
	Iceberg Iceberg   `yaml:"iceberg"`
}

// Lake formats (exporter.format).
const (
	FormatParquet = "parquet"
	FormatIceberg = "iceberg"
)

// LakeS3 reaches a lake (exporter.root or exporter.iceberg.warehouse) on
// S3 or a compatible server. Credentials left empty come from the
// standard AWS chain (environment, shared files, web identity, instance
// or container role).
type LakeS3 struct {
	Endpoint            string `yaml:"endpoint" help:"S3 endpoint of a compatible server (MinIO, Ceph, R2, versitygw); empty means AWS"`
	Region              string `yaml:"region" help:"bucket region; empty means the standard AWS chain, else us-east-1"`
	PathStyle           bool   `yaml:"path_style" help:"path-style addressing (endpoint/bucket/key), as most compatible servers need"`
	AccessKeyID         string `yaml:"access_key_id" help:"static access key ID; empty means the standard AWS credential chain"`
	SecretAccessKey     Secret `yaml:"secret_access_key" help:"static secret access key"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file" help:"file holding the secret access key"`
	SecretAccessKeyEnv  string `yaml:"secret_access_key_env" help:"environment variable holding the secret access key"`
	PartSize            int64  `yaml:"part_size" help:"multipart upload part size in bytes, at least 5 MiB; each open file holds two (default 8388608)"`
}

// LakeGCS reaches a lake on Google Cloud Storage (exporter.root
// gs://bucket/prefix). Without a credentials file, the Application
// Default Credentials are used.
type LakeGCS struct {
	Endpoint        string `yaml:"endpoint" help:"JSON API URL of an emulator (http://host:4443/storage/v1/); empty means Google Cloud Storage"`
	Anonymous       bool   `yaml:"anonymous" help:"send no credentials, as emulators want"`
	CredentialsFile string `yaml:"credentials_file" help:"service account JSON key file; empty means the Application Default Credentials"`
	PartSize        int64  `yaml:"part_size" help:"resumable upload chunk size in bytes, a multiple of 256 KiB; each open file holds one (default 16777216)"`
}

// LakeAzure reaches a lake on Azure Blob Storage (exporter.root
// azblob://container/prefix). Without an account key or a connection
// string, the default Azure credential chain is used.
type LakeAzure struct {
	Account              string `yaml:"account" help:"storage account (or ?account= in the URL; not with a connection string)"`
	Endpoint             string `yaml:"endpoint" help:"Blob service URL of an emulator or another cloud (http://host:10000/account); empty means https://<account>.blob.core.windows.net/"`
	AccountKey           Secret `yaml:"account_key" help:"the account's shared key; empty means a connection string or the default Azure credential chain"`
	AccountKeyFile       string `yaml:"account_key_file" help:"file holding the account key"`
	AccountKeyEnv        string `yaml:"account_key_env" help:"environment variable holding the account key"`
	ConnectionString     Secret `yaml:"connection_string" help:"connection string (account, endpoint and key or SAS), instead of account, endpoint and account_key"`
	ConnectionStringFile string `yaml:"connection_string_file" help:"file holding the connection string"`
	ConnectionStringEnv  string `yaml:"connection_string_env" help:"environment variable holding the connection string"`
	PartSize             int64  `yaml:"part_size" help:"block size in bytes, at least 1 MiB; each open file holds two (default 8388608)"`
}

// Iceberg names the catalog and the warehouse of an exporter.format
// iceberg lake.
type Iceberg struct {
	Catalog        string `yaml:"catalog" help:"sql (SQLite file or PostgreSQL), rest or glue (default sql)"`
	URI            string `yaml:"uri" help:"sql: an SQLite file (default <warehouse>/catalog.db) or postgres://...; rest: the catalog's URL"`
	Namespace      string `yaml:"namespace" help:"namespace of the conversations table (default chatlake)"`
	Warehouse      string `yaml:"warehouse" help:"where the table's files live: a path, s3://bucket/prefix or gs://bucket/prefix (default exporter.root)"`
	Credential     Secret `yaml:"credential" help:"rest: OAuth2 client credential client_id:client_secret"`
	CredentialFile string `yaml:"credential_file" help:"rest: file holding the credential"`
	CredentialEnv  string `yaml:"credential_env" help:"rest: environment variable holding the credential"`
	Token          Secret `yaml:"token" help:"rest: bearer token"`
	TokenFile      string `yaml:"token_file" help:"rest: file holding the token"`
	TokenEnv       string `yaml:"token_env" help:"rest: environment variable holding the token"`
	RESTWarehouse  string `yaml:"rest_warehouse" help:"rest: the warehouse the catalog is asked for (default the warehouse)"`
	// Properties are passed to iceberg-go as they are (glue.region,
	// rest.sigv4-enabled, ...); YAML only.
	Properties map[string]string `yaml:"properties"`
}

// Validate checks the accounts against the providers registered in reg;
// the packages configured validate the rest.
func (c *Config) Validate(reg *providers.Registry) error {
	var errs []error
	names := map[string]bool{}
	for i, a := range c.Accounts {
		if err := a.validate(reg); err != nil {
			errs = append(errs, fmt.Errorf("account %d (%s): %w", i, a.Name, err))
		}
		if names[a.Name] {
			errs = append(errs, fmt.Errorf("account %d: duplicate name %q", i, a.Name))
		}
		names[a.Name] = true
	}
	switch c.Streams.ConversationsRetention {
	case "", RetentionLimits, RetentionExported:
	default:
		errs = append(errs, fmt.Errorf("streams.conversations_retention %q: want %s or %s", c.Streams.ConversationsRetention, RetentionLimits, RetentionExported))
	}
	switch c.Exporter.Format {
	case "", FormatParquet, FormatIceberg:
	default:
		errs = append(errs, fmt.Errorf("exporter.format %q: want %s or %s", c.Exporter.Format, FormatParquet, FormatIceberg))
	}
	return errors.Join(errs...)
}

func (a Account) validate(reg *providers.Registry) error {
	switch {
	case a.Name == "":
		return errors.New("name is empty")
	case a.QPS < 0:
		return errors.New("qps is negative")
	}
	pa, err := a.ProviderAccount(reg)
	if err != nil {
		return err
	}
	return reg.Validate(pa)
}

// ProviderAccount is the account as its provider, looked up in reg, gets
// it: the key and secret are the settings the provider names (KeyField and
// SecretField), and a provider whose key is its app serves that app when
// apps is empty. An unknown provider is an error that lists the known
// ones.
func (a Account) ProviderAccount(reg *providers.Registry) (providers.Account, error) {
	p, err := reg.Lookup(a.Provider)
	if err != nil {
		return providers.Account{}, err
	}
	pa := providers.Account{
		Name: a.Name, Provider: a.Provider, Endpoint: a.Endpoint, Region: a.Region,
		Key: a.key(p.KeyField), Secret: a.secret(p.SecretField), Apps: a.Apps,
	}
	if p.KeyIsApp && len(pa.Apps) == 0 && pa.Key != "" {
		pa.Apps = []string{pa.Key}
	}
	return pa, nil
}

// key returns the account's key setting named field.
func (a Account) key(field string) string {
	switch field {
	case "access_key_id":
		return a.AccessKeyID
	case "app_key":
		return a.AppKey
	}
	return ""
}

// secret returns the account's secret setting named field.
func (a Account) secret(field string) Secret {
	switch field {
	case "secret_access_key":
		return a.SecretAccessKey
	case "app_secret":
		return a.AppSecret
	}
	return ""
}

// resolveSecrets replaces the *_file and *_env references by their values.
func (c *Config) resolveSecrets(getenv func(string) string) error {
	for i := range c.Accounts {
		a := &c.Accounts[i]
		var err error
		if a.SecretAccessKey, err = resolveSecret("secret_access_key", a.SecretAccessKey, a.SecretAccessKeyFile, a.SecretAccessKeyEnv, getenv); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
		if a.AppSecret, err = resolveSecret("app_secret", a.AppSecret, a.AppSecretFile, a.AppSecretEnv, getenv); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
		a.SecretAccessKeyFile, a.SecretAccessKeyEnv, a.AppSecretFile, a.AppSecretEnv = "", "", "", ""
	}
	s3, ice := &c.Exporter.S3, &c.Exporter.Iceberg
	var err error
	if s3.SecretAccessKey, err = resolveSecret("exporter.s3.secret_access_key", s3.SecretAccessKey, s3.SecretAccessKeyFile, s3.SecretAccessKeyEnv, getenv); err != nil {
		return err
	}
	az := &c.Exporter.Azure
	if az.AccountKey, err = resolveSecret("exporter.azure.account_key", az.AccountKey, az.AccountKeyFile, az.AccountKeyEnv, getenv); err != nil {
		return err
	}
	if az.ConnectionString, err = resolveSecret("exporter.azure.connection_string", az.ConnectionString, az.ConnectionStringFile, az.ConnectionStringEnv, getenv); err != nil {
		return err
	}
	az.AccountKeyFile, az.AccountKeyEnv, az.ConnectionStringFile, az.ConnectionStringEnv = "", "", "", ""
	if ice.Credential, err = resolveSecret("exporter.iceberg.credential", ice.Credential, ice.CredentialFile, ice.CredentialEnv, getenv); err != nil {
		return err
	}
	if ice.Token, err = resolveSecret("exporter.iceberg.token", ice.Token, ice.TokenFile, ice.TokenEnv, getenv); err != nil {
		return err
	}
	s3.SecretAccessKeyFile, s3.SecretAccessKeyEnv = "", ""
	ice.CredentialFile, ice.CredentialEnv, ice.TokenFile, ice.TokenEnv = "", "", "", ""
	return nil
}
