package iceberg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	iceio "github.com/apache/iceberg-go/io"
	_ "github.com/apache/iceberg-go/io/gocloud/gcs" // the gs:// FileIO
	_ "github.com/apache/iceberg-go/io/gocloud/s3"  // the s3:// FileIO
	_ "github.com/jackc/pgx/v5/stdlib"              // database/sql driver "pgx"
	_ "modernc.org/sqlite"                          // database/sql driver "sqlite", pure Go
)

// sqlitePragmas let several processes share the catalog file: writers wait
// for the lock instead of failing, readers do not block the writer.
const sqlitePragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"

// openCatalog connects to the catalog c names. close releases what it
// opened.
func openCatalog(ctx context.Context, c Config) (cat catalog.Catalog, close func() error, err error) {
	props, err := c.properties()
	if err != nil {
		return nil, nil, err
	}
	if c.catalog() != CatalogSQL {
		props["type"] = c.catalog()
		cat, err := catalog.Load(ctx, c.name(), props)
		if err != nil {
			return nil, nil, fmt.Errorf("iceberg: open %s catalog: %w", c.catalog(), err)
		}
		return cat, func() error { return closeCatalog(cat) }, nil
	}
	driver, dialect, dsn := "sqlite", sqlcat.SQLite, c.sqliteDSN()
	if c.postgres() {
		driver, dialect, dsn = "pgx", sqlcat.Postgres, c.URI
	} else if err := os.MkdirAll(filepath.Dir(c.sqlitePath()), 0o755); err != nil {
		// SQLite creates its file, not the folder: a fresh lake has none.
		return nil, nil, fmt.Errorf("iceberg: sql catalog folder: %w", err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("iceberg: open sql catalog: %s", driver)
	}
	// The DSN stays out of props: iceberg-go hands its catalog properties to
	// every FileIO and may log them.
	sc, err := sqlcat.NewCatalog(c.name(), db, dialect, props)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("iceberg: open sql catalog (%s): %w", driver, err)
	}
	return sc, func() error { return errors.Join(sc.Close(), db.Close()) }, nil
}

func closeCatalog(cat catalog.Catalog) error {
	if cl, ok := cat.(catalog.Closer); ok {
		return cl.Close()
	}
	return nil
}

// sqliteDSN is the SQLite catalog's file with the pragmas it needs.
func (c Config) sqliteDSN() string {
	return "file:" + c.sqlitePath() + sqlitePragmas
}

// sqlitePath is the SQLite catalog's file.
func (c Config) sqlitePath() string {
	if path := strings.TrimPrefix(c.URI, "file:"); path != "" {
		return path
	}
	return filepath.Join(strings.TrimPrefix(c.Warehouse, "file://"), sqliteFile)
}

// properties are the catalog's properties: iceberg-go passes them on to
// the table's FileIO, so the S3 settings go here too.
func (c Config) properties() (ice.Properties, error) {
	wh, err := c.warehouseURL()
	if err != nil {
		return nil, err
	}
	p := ice.Properties{"warehouse": wh}
	if c.catalog() == CatalogREST {
		p["uri"] = c.URI
		if c.RESTWarehouse != "" {
			p["warehouse"] = c.RESTWarehouse
		}
		setNonEmpty(p, "credential", c.Credential)
		setNonEmpty(p, "token", c.Token)
	}
	if strings.HasPrefix(wh, "s3://") {
		c.S3.properties(p)
	}
	if strings.HasPrefix(wh, "gs://") {
		c.GCS.properties(p)
	}
	maps.Copy(p, c.Properties)
	return p, nil
}

func (s S3) properties(p ice.Properties) {
	setNonEmpty(p, iceio.S3EndpointURL, s.Endpoint)
	setNonEmpty(p, iceio.S3Region, s.Region)
	setNonEmpty(p, iceio.S3AccessKeyID, s.AccessKeyID)
	setNonEmpty(p, iceio.S3SecretAccessKey, s.SecretAccessKey)
	setNonEmpty(p, iceio.S3SessionToken, s.SessionToken)
	// iceberg-go picks path style whenever an endpoint is set; say it.
	p[iceio.S3ForceVirtualAddressing] = strconv.FormatBool(!s.PathStyle)
}

func (g GCS) properties(p ice.Properties) {
	if g.Endpoint != "" {
		p[iceio.GCSEndpoint] = g.Endpoint
		p[iceio.GCSUseJSONAPI] = "true" // emulators serve the JSON API only
	}
	if g.Anonymous {
		p[iceio.GCSNoAuth] = "true"
	}
	setNonEmpty(p, iceio.GCSKeyPath, g.CredentialsFile)
}

func setNonEmpty(p ice.Properties, k, v string) {
	if v != "" {
		p[k] = v
	}
}
