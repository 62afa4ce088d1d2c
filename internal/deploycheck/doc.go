// Package deploycheck holds the tests that keep deploy/ true to the code:
// every chatlake metric the Grafana dashboard, the Prometheus alert rules
// and their unit tests name must be one the producer, the provider guards
// or the exporter register, with the labels they use; and the dashboard
// must show every such metric. It has no API; deploy/check runs it.
package deploycheck
