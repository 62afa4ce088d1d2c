// Command chatlake is the operator's tool: submit jobs, follow their
// status, and (added by other commands) run a demo.
//
// Usage:
//
//	chatlake submit --provider P --app A [USER_ID... | --file F | -]
//	chatlake status [--provider P] [--app A] [--failures N]
//
// `chatlake COMMAND --help` documents each command.
package main
