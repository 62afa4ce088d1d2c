package deploycheck_test

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/chatlake/chatlake/lake/folder"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers"
)

const (
	dashboardFile  = "../../deploy/grafana/chatlake-dashboard.json"
	alertsFile     = "../../deploy/prometheus/chatlake-alerts.yml"
	alertTestsFile = "../../deploy/prometheus/chatlake-alerts_test.yml"
)

// metric is what an expression may rely on: the type (for the histogram
// suffixes) and the label names.
type metric struct {
	kind   string // HISTOGRAM, COUNTER, ...
	labels []string
}

// targetLabels are added by Prometheus to every scraped series.
var targetLabels = []string{"job", "instance"}

// registered registers chatlake's metrics through the exported
// constructors the commands use, on a fresh registry, and returns them by
// name. A new constructor of chatlake_* metrics belongs here.
func registered(t testing.TB) map[string]metric {
	t.Helper()
	rec := &recorder{Registry: prometheus.NewRegistry()}
	if _, err := providers.NewMetrics(rec); err != nil {
		t.Fatalf("providers.NewMetrics: %v", err)
	}
	store, err := folder.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exporter.New(nil, store, nil, exporter.Config{Registerer: rec}); err != nil {
		t.Fatalf("exporter.New: %v", err)
	}
	if _, err := producer.New(nil, nil, nil, producer.Config{Registerer: rec}); err != nil {
		t.Fatalf("producer.New: %v", err)
	}
	for _, c := range rec.collectors {
		if err := instantiate(c); err != nil {
			t.Fatalf("instantiate %T: %v", c, err)
		}
	}
	families, err := rec.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	metrics := make(map[string]metric)
	for _, f := range families {
		m := metric{kind: f.GetType().String()}
		for _, lp := range f.GetMetric()[0].GetLabel() {
			m.labels = append(m.labels, lp.GetName())
		}
		metrics[f.GetName()] = m
	}
	if len(metrics) < 10 {
		t.Fatalf("registered %d metrics, want the producer's, the providers' and the exporter's", len(metrics))
	}
	return metrics
}

// recorder is a Registry that remembers what was registered, so that
// vectors without children can be given one and show up in Gather.
type recorder struct {
	*prometheus.Registry
	collectors []prometheus.Collector
}

func (r *recorder) Register(c prometheus.Collector) error {
	r.collectors = append(r.collectors, c)
	return r.Registry.Register(c)
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// instantiate gives a vector one child with empty label values, trying
// label counts until one fits.
func instantiate(c prometheus.Collector) error {
	switch v := c.(type) {
	case *prometheus.CounterVec:
		return child(v.GetMetricWithLabelValues)
	case *prometheus.GaugeVec:
		return child(v.GetMetricWithLabelValues)
	case *prometheus.HistogramVec:
		return child(v.GetMetricWithLabelValues)
	case *prometheus.SummaryVec:
		return child(v.GetMetricWithLabelValues)
	}
	return nil
}

func child[M any](get func(...string) (M, error)) error {
	for n := range 16 {
		if _, err := get(make([]string, n)...); err == nil {
			return nil
		}
	}
	return errors.New("no label count fits")
}

// expression is one PromQL expression and where it comes from.
type expression struct {
	where, expr string
}

func dashboard(t testing.TB) map[string]any {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// dashboardExpressions walks the dashboard for panel targets (expr) and
// variable queries (definition, query).
func dashboardExpressions(t testing.TB) []expression {
	var out []expression
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "expr" || k == "definition" || k == "query") {
					out = append(out, expression{dashboardFile + " " + path + "." + k, s})
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("", dashboard(t))
	return out
}

func alertExpressions(t testing.TB) []expression {
	t.Helper()
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Record, Expr string
			}
		}
	}
	readYAML(t, alertsFile, &rules)
	var out []expression
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			out = append(out, expression{alertsFile + " " + r.Alert + r.Record, r.Expr})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rules", alertsFile)
	}
	return out
}

// testSeries returns the input series of the alert unit tests: they are
// selectors, so they are checked like expressions.
func testSeries(t testing.TB) []expression {
	t.Helper()
	var tests struct {
		Tests []struct {
			InputSeries []struct{ Series string } `yaml:"input_series"`
		}
	}
	readYAML(t, alertTestsFile, &tests)
	var out []expression
	for _, tc := range tests.Tests {
		for _, s := range tc.InputSeries {
			out = append(out, expression{alertTestsFile + " input_series", s.Series})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no input series", alertTestsFile)
	}
	return out
}

func readYAML(t testing.TB, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

var (
	nameRE        = regexp.MustCompile(`\bchatlake_[a-z0-9_]+`)
	stringRE      = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	selectorRE    = regexp.MustCompile(`\b(chatlake_[a-z0-9_]+)\s*\{([^}]*)\}`)
	matcherRE     = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	groupingRE    = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)
	labelValuesRE = regexp.MustCompile(`label_values\(\s*(chatlake_[a-z0-9_]+)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)`)
)

// resolve finds the metric a series name belongs to, allowing the
// _bucket, _sum and _count series of histograms and summaries. It returns
// the labels a selector of that series may match on.
func resolve(metrics map[string]metric, name string) ([]string, bool) {
	if m, ok := metrics[name]; ok {
		return slices.Concat(m.labels, targetLabels), true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		m, found := metrics[base]
		if !ok || !found {
			continue
		}
		switch {
		case m.kind == "HISTOGRAM" && suffix == "_bucket":
			return slices.Concat(m.labels, targetLabels, []string{"le"}), true
		case m.kind == "HISTOGRAM", m.kind == "SUMMARY" && suffix != "_bucket":
			return slices.Concat(m.labels, targetLabels), true
		}
	}
	return nil, false
}

// problems lists what in e does not match the registered metrics.
func problems(metrics map[string]metric, e expression) []string {
	var out []string
	var inExpr []string // labels of every metric e names
	for _, name := range nameRE.FindAllString(e.expr, -1) {
		labels, ok := resolve(metrics, name)
		if !ok {
			out = append(out, "unknown metric "+name)
		}
		inExpr = append(inExpr, labels...)
	}
	bare := stringRE.ReplaceAllString(e.expr, `""`)
	for _, sel := range selectorRE.FindAllStringSubmatch(bare, -1) {
		labels, _ := resolve(metrics, sel[1])
		for _, m := range matcherRE.FindAllStringSubmatch(sel[2], -1) {
			if labels != nil && !slices.Contains(labels, m[1]) {
				out = append(out, sel[1]+" has no label "+m[1])
			}
		}
	}
	for _, g := range groupingRE.FindAllStringSubmatch(bare, -1) {
		for l := range strings.SplitSeq(g[1], ",") {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(inExpr, l) {
				out = append(out, "grouping by "+l+", a label none of its metrics has")
			}
		}
	}
	for _, lv := range labelValuesRE.FindAllStringSubmatch(e.expr, -1) {
		if labels, ok := resolve(metrics, lv[1]); ok && !slices.Contains(labels, lv[2]) {
			out = append(out, lv[1]+" has no label "+lv[2])
		}
	}
	return out
}

func TestDeployNamesRealMetrics(t *testing.T) {
	metrics := registered(t)
	exprs := slices.Concat(dashboardExpressions(t), alertExpressions(t), testSeries(t))
	for _, e := range exprs {
		for _, p := range problems(metrics, e) {
			t.Errorf("%s: %q: %s", e.where, e.expr, p)
		}
	}
}

func TestDashboardShowsEveryMetric(t *testing.T) {
	var shown []string
	for _, e := range dashboardExpressions(t) {
		shown = append(shown, nameRE.FindAllString(e.expr, -1)...)
	}
	for name, m := range registered(t) {
		if !strings.HasPrefix(name, "chatlake_") {
			continue
		}
		if !slices.Contains(shown, name) && !(m.kind == "HISTOGRAM" && slices.Contains(shown, name+"_bucket")) {
			t.Errorf("%s: no panel shows %s; add one", dashboardFile, name)
		}
	}
}

// dataSource is a panel's or a query's data source reference.
type dataSource struct{ Type, UID string }

// TestDashboardImportable checks what Grafana needs to import the
// dashboard into any instance: a recent schema, a data source variable
// that every panel and query uses, and panels that fit the grid.
func TestDashboardImportable(t *testing.T) {
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID           string
		SchemaVersion int
		Templating    struct {
			List []struct{ Type, Name, Query any }
		}
		Panels []struct {
			ID         int
			Type       string
			Title      string
			Datasource *dataSource
			GridPos    struct{ X, W, H int }
			Targets    []struct{ Datasource *dataSource }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" || d.SchemaVersion < 39 {
		t.Errorf("uid %q, schemaVersion %d; want a uid and schemaVersion >= 39", d.UID, d.SchemaVersion)
	}
	if !slices.ContainsFunc(d.Templating.List, func(v struct{ Type, Name, Query any }) bool {
		return v.Type == "datasource" && v.Name == "datasource" && v.Query == "prometheus"
	}) {
		t.Errorf("no Prometheus data source variable named datasource")
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: id %d used twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: gridPos %+v does not fit the 24-column grid", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q: no queries", p.Title)
		}
		uses := []*dataSource{p.Datasource}
		for _, tg := range p.Targets {
			uses = append(uses, tg.Datasource)
		}
		for _, ds := range uses {
			if ds == nil || ds.UID != "${datasource}" {
				t.Errorf("panel %q: data source %+v, want uid ${datasource}", p.Title, ds)
			}
		}
	}
}
