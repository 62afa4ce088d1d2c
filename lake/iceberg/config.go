package iceberg

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
)

// Catalog types Config.Catalog accepts.
const (
	// CatalogSQL is iceberg-go's SQL catalog: an SQLite file (pure Go, no
	// server, the embedded default) or PostgreSQL.
	CatalogSQL = "sql"
	// CatalogREST is an Iceberg REST catalog (Polaris, Lakekeeper, Nessie,
	// Gravitino, S3 Tables, ...).
	CatalogREST = "rest"
	// CatalogGlue is the AWS Glue Data Catalog.
	CatalogGlue = "glue"
)

const (
	// DefaultNamespace is the namespace when Config.Namespace is empty.
	DefaultNamespace = "chatlake"
	// TableName is the name of the table in its namespace.
	TableName = "conversations"
	// DefaultCatalogName is the catalog's name when Config.Name is empty;
	// the SQL catalog stores it in every row it writes.
	DefaultCatalogName = "chatlake"
	// sqliteFile is the SQLite catalog's file in a local warehouse when
	// Config.URI is empty.
	sqliteFile = "catalog.db"
)

// Config says which catalog holds the table and where its files live. Its
// zero values mean the documented defaults; Warehouse is required. String,
// GoString and LogValue redact every secret (a password in URI,
// Credential, Token, S3.SecretAccessKey, S3.SessionToken), and no error of
// this package contains one.
type Config struct {
	// Catalog is CatalogSQL, CatalogREST or CatalogGlue; "" means
	// CatalogSQL.
	Catalog string
	// Name is the catalog's name; "" means DefaultCatalogName.
	Name string
	// URI locates the catalog. For CatalogSQL: postgres://user:pw@host/db
	// (or postgresql://) for PostgreSQL through pgx, anything else is the
	// path of an SQLite file; "" means catalog.db in a local Warehouse
	// (required when Warehouse is on object storage). For CatalogREST: the
	// server's base URL, required. Unused by CatalogGlue.
	URI string
	// Credential is the REST catalog's OAuth2 client credential
	// ("client_id:client_secret"); "" for none.
	Credential string
	// Token is a bearer token for the REST catalog; "" for none.
	Token string
	// RESTWarehouse is the warehouse the REST catalog is asked for (a
	// name or a location, as the server expects); "" means Warehouse.
	RESTWarehouse string
	// Namespace holds the table; "" means DefaultNamespace.
	Namespace string
	// Warehouse is where new tables are placed: a local path (absolute or
	// relative, or file:///abs/path) or s3://bucket/prefix. The table
	// lives at <Warehouse>/<Namespace>.db/conversations.
	Warehouse string
	// S3 reaches an s3:// warehouse, GCS a gs:// one.
	S3  S3
	GCS GCS
	// Properties are extra catalog properties passed to iceberg-go as they
	// are (for example glue.region, rest.sigv4-enabled, s3.proxy-uri);
	// they override the ones this package derives from the fields above.
	Properties map[string]string
}

// S3 holds the object-storage settings of the warehouse. Zero values: AWS's
// endpoint, the region and credentials of the standard AWS chain
// (environment, shared files, web identity, instance role), virtual-hosted
// addressing.
type S3 struct {
	Endpoint  string // base URL of a compatible server, "" for AWS
	Region    string
	PathStyle bool // endpoint/bucket/key instead of bucket.endpoint/key
	// AccessKeyID and SecretAccessKey are static credentials, set both or
	// neither; SessionToken goes with temporary ones.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// GCS holds the settings of a gs:// warehouse. Zero values: Google Cloud
// Storage, with the Application Default Credentials.
type GCS struct {
	Endpoint        string // an emulator's JSON API URL, "" for GCS
	Anonymous       bool   // no credentials, as emulators want
	CredentialsFile string // a service account's JSON key file
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	if c.Warehouse == "" {
		return errors.New("iceberg: warehouse is empty")
	}
	switch c.catalog() {
	case CatalogSQL:
		if c.URI == "" && !c.localWarehouse() {
			return errors.New("iceberg: the sql catalog on an object-storage warehouse needs a uri (an SQLite file or postgres://)")
		}
	case CatalogREST:
		if c.URI == "" {
			return errors.New("iceberg: the rest catalog needs a uri")
		}
		if _, err := url.Parse(c.URI); err != nil {
			return errors.New("iceberg: the rest catalog's uri is not a valid URL")
		}
	case CatalogGlue:
	default:
		return fmt.Errorf("iceberg: unknown catalog type %q (want sql, rest or glue)", c.Catalog)
	}
	switch {
	case !c.localWarehouse() && !strings.HasPrefix(c.Warehouse, "s3://") && !strings.HasPrefix(c.Warehouse, "gs://"):
		return errors.New("iceberg: warehouse must be a local path, file://, s3://bucket/prefix or gs://bucket/prefix")
	case (c.S3.AccessKeyID == "") != (c.S3.SecretAccessKey == ""):
		return errors.New("iceberg: s3 access key ID and secret access key must be set together")
	case strings.ContainsAny(c.namespace(), "./"):
		return fmt.Errorf("iceberg: namespace %q must not contain '.' or '/'", c.namespace())
	}
	return nil
}

func (c Config) catalog() string {
	if c.Catalog == "" {
		return CatalogSQL
	}
	return c.Catalog
}

func (c Config) name() string {
	if c.Name == "" {
		return DefaultCatalogName
	}
	return c.Name
}

func (c Config) namespace() string {
	if c.Namespace == "" {
		return DefaultNamespace
	}
	return c.Namespace
}

// localWarehouse reports whether the warehouse is a local folder.
func (c Config) localWarehouse() bool {
	return c.Warehouse != "" && (strings.HasPrefix(c.Warehouse, "file://") || !strings.Contains(c.Warehouse, "://"))
}

// warehouseURL is the warehouse as iceberg-go wants it: file:///abs or s3://.
func (c Config) warehouseURL() (string, error) {
	if !c.localWarehouse() || strings.HasPrefix(c.Warehouse, "file://") {
		return strings.TrimRight(c.Warehouse, "/"), nil
	}
	abs, err := filepath.Abs(c.Warehouse)
	if err != nil {
		return "", fmt.Errorf("iceberg: warehouse: %w", err)
	}
	return "file://" + filepath.ToSlash(abs), nil
}

// postgres reports whether the SQL catalog is on PostgreSQL.
func (c Config) postgres() bool {
	return strings.HasPrefix(c.URI, "postgres://") || strings.HasPrefix(c.URI, "postgresql://")
}

// String describes c without its secrets.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "catalog=%s name=%s uri=%q namespace=%s warehouse=%q", c.catalog(), c.name(), redactURI(c.URI), c.namespace(), c.Warehouse)
	if c.Credential != "" {
		b.WriteString(" credential=REDACTED")
	}
	if c.Token != "" {
		b.WriteString(" token=REDACTED")
	}
	if c.RESTWarehouse != "" {
		fmt.Fprintf(&b, " rest_warehouse=%q", c.RESTWarehouse)
	}
	s := c.S3
	fmt.Fprintf(&b, " s3_endpoint=%q s3_region=%q s3_path_style=%t s3_access_key_id=%q", s.Endpoint, s.Region, s.PathStyle, s.AccessKeyID)
	if s.SecretAccessKey != "" {
		b.WriteString(" s3_secret=REDACTED")
	}
	if s.SessionToken != "" {
		b.WriteString(" s3_session_token=REDACTED")
	}
	if g := c.GCS; g != (GCS{}) {
		fmt.Fprintf(&b, " gcs_endpoint=%q gcs_anonymous=%t gcs_credentials_file=%q", g.Endpoint, g.Anonymous, g.CredentialsFile)
	}
	if len(c.Properties) > 0 {
		fmt.Fprintf(&b, " properties=%d (values not shown)", len(c.Properties))
	}
	return b.String()
}

// GoString prints c without its secrets, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue logs c without its secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// redactURI hides a URL's password; a plain path is returned as it is.
func redactURI(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.RawQuery = "" // may hold a password too
	return u.Redacted()
}
