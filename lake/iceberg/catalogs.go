package iceberg

// The REST and Glue catalogs register themselves with iceberg-go's catalog
// registry when linked in; Config.Catalog "rest" and "glue" need them.
// They are here, apart, because of their weight: on a build of
// cmd/chatlake, Glue adds about 14 MB (the AWS Glue SDK) and REST about
// 1 MB. A build that wants neither can drop this file.
import (
	_ "github.com/apache/iceberg-go/catalog/glue" // registers "glue"
	_ "github.com/apache/iceberg-go/catalog/rest" // registers "rest"
)
