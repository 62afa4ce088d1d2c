package config

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/providers"
)

// EnvPrefix starts every environment variable name.
const EnvPrefix = "CHATLAKE_"

// Loader binds a Config's scalar settings to flags of a FlagSet and to
// environment variables, and loads the file named by --config (or
// CHATLAKE_CONFIG). Use it once: NewLoader, fs.Parse, Load.
type Loader struct {
	cfg    *Config
	path   string
	leaves []*leaf
}

// leaf is one scalar setting.
type leaf struct {
	name, env, help string
	field           reflect.Value
	raw             string // the flag's value, when set
	set             bool
}

func (l *leaf) String() string {
	if l == nil || !l.set {
		return ""
	}
	if l.field.Type() == reflect.TypeFor[Secret]() {
		return secret.Redacted
	}
	return l.raw
}

func (l *leaf) Set(s string) error {
	if err := assign(l.field, s); err != nil { // checks the syntax now
		return err
	}
	l.raw, l.set = s, true
	return nil
}

// NewLoader registers --config and a flag for every scalar setting of the
// named sections of cfg ("nats", "producer", ...; none means all) on fs.
func NewLoader(fs *flag.FlagSet, cfg *Config, sections ...string) *Loader {
	l := &Loader{cfg: cfg}
	fs.StringVar(&l.path, "config", "", "YAML configuration file [env "+EnvPrefix+"CONFIG]")
	walk(reflect.ValueOf(cfg).Elem(), "", func(name, help string, v reflect.Value) {
		section, _, _ := strings.Cut(name, ".")
		if len(sections) > 0 && !slices.Contains(sections, section) {
			return
		}
		lf := &leaf{name: name, env: EnvName(name), help: help, field: v}
		l.leaves = append(l.leaves, lf)
		fs.Var(lf, name, help+" [env "+lf.env+"]")
	})
	return l
}

// EnvName returns the environment variable of the setting named name
// ("nats.url" -> CHATLAKE_NATS_URL).
func EnvName(name string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(name, ".", "_"))
}

// walk calls fn for every scalar field of the struct v with a yaml tag,
// named section.name. Slices (accounts) are skipped.
func walk(v reflect.Value, prefix string, fn func(name, help string, v reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		name := prefix + tag
		switch {
		case f.Type.Kind() == reflect.Struct:
			walk(v.Field(i), name+".", fn)
		case f.Type.Kind() == reflect.Slice, f.Type.Kind() == reflect.Map:
		default:
			fn(name, f.Tag.Get("help"), v.Field(i))
		}
	}
}

// Load fills the Config: the file (strictly: unknown keys are errors),
// then environment variables, then the flags given, then the accounts'
// secrets from their files and variables; then it validates the accounts
// against the providers of reg. Call it after fs.Parse.
func (l *Loader) Load(getenv func(string) string, reg *providers.Registry) error {
	l.path = cmp.Or(l.path, getenv(EnvPrefix+"CONFIG"))
	if l.path != "" {
		if err := l.loadFile(l.path); err != nil {
			return err
		}
	}
	for _, lf := range l.leaves {
		if v := getenv(lf.env); v != "" {
			if err := assign(lf.field, v); err != nil {
				return fmt.Errorf("config: %s: %w", lf.env, err)
			}
		}
	}
	for _, lf := range l.leaves {
		if lf.set {
			if err := assign(lf.field, lf.raw); err != nil {
				return fmt.Errorf("config: --%s: %w", lf.name, err)
			}
		}
	}
	if err := l.cfg.resolveSecrets(getenv); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := l.cfg.Validate(reg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

func (l *Loader) loadFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(l.cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// assign parses s into the scalar field v.
func assign(v reflect.Value, s string) error {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// Parse reads a command's configuration: --config and a flag for every
// setting of the named sections, then the file, the environment and the
// flags, in that order of precedence, and validates the accounts against
// the providers of reg. usage heads the --help text. It returns
// flag.ErrHelp for -h.
func Parse(name, usage string, args []string, getenv func(string) string, stderr io.Writer, reg *providers.Registry, sections ...string) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var cfg Config
	l := NewLoader(fs, &cfg, sections...)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := l.Load(getenv, reg); err != nil {
		return nil, err
	}
	return &cfg, nil
}
