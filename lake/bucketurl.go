package lake

import (
	"fmt"
	"net/url"
	"strings"
)

// SplitBucketURL checks an object-storage location scheme://bucket/prefix
// (the scheme, no credentials, a bucket, no fragment) and returns its
// bucket, its prefix and its query parameters, the last value of each.
// what names the driver in errors ("s3 lake"), noun its bucket ("bucket",
// "container"). Errors show the URL without its password.
func SplitBucketURL(u *url.URL, what, scheme, noun string) (bucket, prefix string, params map[string]string, err error) {
	switch {
	case !strings.EqualFold(u.Scheme, scheme):
		return "", "", nil, fmt.Errorf("%s: scheme of %s is not %s", what, u.Redacted(), scheme)
	case u.User != nil:
		return "", "", nil, fmt.Errorf("%s: %s: credentials in the URL are refused", what, u.Redacted())
	case u.Host == "":
		return "", "", nil, fmt.Errorf("%s: %s: no %s", what, u.Redacted(), noun)
	case u.Fragment != "" || u.Opaque != "":
		return "", "", nil, fmt.Errorf("%s: %s: unexpected fragment or opaque part", what, u.Redacted())
	}
	params = map[string]string{}
	for k, v := range u.Query() {
		params[k] = v[len(v)-1]
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), params, nil
}

// RootPrefix returns the key prefix of a lake rooted at prefix in a
// bucket: "" for the bucket's root, else prefix without leading and
// trailing slashes, plus one "/". The prefix must be a valid name
// (CheckName).
func RootPrefix(prefix string) (string, error) {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return "", nil
	}
	if err := CheckName(p); err != nil {
		return "", fmt.Errorf("prefix: %w", err)
	}
	return p + "/", nil
}
