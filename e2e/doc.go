// Package e2e holds the end-to-end test: it builds the real binaries
// (nats-server from its module, imsim, producer, exporter, chatlake), runs
// each as a separate process on loopback, submits users with
// `chatlake submit`, and checks the Parquet output against the simulators'
// data set.
package e2e
