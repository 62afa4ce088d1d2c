package schemas

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chatlake/chatlake/internal/jsonv1"
)

// Limits of a job. A job beyond them is invalid, not truncated.
const (
	// MaxJobBytes bounds a job's payload.
	MaxJobBytes = 256 << 10
	// MaxIDLen bounds a user ID, a job ID, an app and a conversation ID.
	MaxIDLen = 128
	// MaxConversationIDs bounds a Yunxin job's conversation_ids.
	MaxConversationIDs = 10_000
)

// JobError says why a job was rejected. Its class is ClassInvalid: the job
// goes to the dead letters at once, retrying cannot help.
type JobError struct {
	Reason string
}

func (e *JobError) Error() string { return "invalid job: " + e.Reason }

// ErrorClass implements Classed.
func (e *JobError) ErrorClass() ErrorClass { return ClassInvalid }

func jobErrorf(format string, args ...any) error {
	return &JobError{Reason: fmt.Sprintf(format, args...)}
}

// DecodeJob decodes a job received on subject. The subject must be
// chatlake.jobs.<provider>.<app>; the payload is either a JSON job object
// (leading '{') or a bare user ID, so `nats pub chatlake.jobs.volcengine.1 10001`
// is a job. Provider and App come from the subject; a payload that names
// others is rejected. A missing job_id is derived with DeriveJobID.
//
// Errors are *JobError.
func DecodeJob(subject string, payload []byte) (Job, error) {
	provider, app, err := ParseJobSubject(subject)
	if err != nil {
		return Job{}, err
	}
	if len(payload) > MaxJobBytes {
		return Job{}, jobErrorf("payload of %d bytes exceeds %d", len(payload), MaxJobBytes)
	}
	payload = bytes.TrimSpace(payload)
	var j Job
	if len(payload) > 0 && payload[0] == '{' {
		var err error
		// As encoding/json decodes, at a fraction of its cost.
		if j, err = jsonv1.Unmarshal[Job](payload); err != nil {
			return Job{}, jobErrorf("payload is not a JSON job: %v", err)
		}
	} else if len(payload) > 0 && (payload[0] == '[' || payload[0] == '"') {
		return Job{}, jobErrorf("payload looks like JSON but is not a job object")
	} else {
		j.UserID = string(payload)
	}
	if (j.Provider != "" && j.Provider != provider) || (j.App != "" && j.App != app) {
		return Job{}, jobErrorf("payload names %s/%s, subject %s/%s", j.Provider, j.App, provider, app)
	}
	j.Provider, j.App = provider, app
	if err := j.Validate(); err != nil {
		return Job{}, err
	}
	if j.JobID == "" {
		j.JobID = DeriveJobID(j)
	}
	return j, nil
}

// ParseJobSubject returns the provider and app of a job subject, checked
// with ValidateProvider and ValidateApp. Errors are *JobError.
func ParseJobSubject(subject string) (provider, app string, err error) {
	rest, ok := strings.CutPrefix(subject, SubjectJobsPrefix)
	if !ok {
		return "", "", jobErrorf("subject %q is not under %s", clip(subject), SubjectJobsPrefix)
	}
	provider, app, ok = strings.Cut(rest, ".")
	if !ok || strings.Contains(app, ".") {
		return "", "", jobErrorf("subject %q is not %s<provider>.<app>", clip(subject), SubjectJobsPrefix)
	}
	if err := ValidateProvider(provider); err != nil {
		return "", "", err
	}
	if err := ValidateApp(provider, app); err != nil {
		return "", "", err
	}
	return provider, app, nil
}

// ValidateProvider accepts the known providers only.
func ValidateProvider(p string) error {
	if p != ProviderVolcengine && p != ProviderYunxin {
		return jobErrorf("unknown provider %q", clip(p))
	}
	return nil
}

// ValidateApp checks an app token: a positive decimal int32 for Volcengine
// (the AppId), 1 to MaxIDLen of [A-Za-z0-9_-] for Yunxin (the AppKey).
func ValidateApp(provider, app string) error {
	if provider == ProviderVolcengine {
		if n, err := strconv.ParseInt(app, 10, 32); err != nil || n <= 0 || strconv.FormatInt(n, 10) != app {
			return jobErrorf("volcengine app %q is not a positive decimal AppId", clip(app))
		}
		return nil
	}
	if !isToken(app) {
		return jobErrorf("app %q is not 1 to %d of [A-Za-z0-9_-]", clip(app), MaxIDLen)
	}
	return nil
}

// Validate checks a job after its provider and app are set. Errors are
// *JobError.
func (j Job) Validate() error {
	if err := ValidateProvider(j.Provider); err != nil {
		return err
	}
	if err := ValidateApp(j.Provider, j.App); err != nil {
		return err
	}
	if j.JobID != "" && !isToken(j.JobID) {
		return jobErrorf("job_id %q is not 1 to %d of [A-Za-z0-9_-]", clip(j.JobID), MaxIDLen)
	}
	if err := validateID("user_id", j.UserID); err != nil {
		return err
	}
	if j.Run != "" {
		if err := ValidateRun(j.Run); err != nil {
			return err
		}
	}
	return j.validateOptions()
}

func (j Job) validateOptions() error {
	if j.Provider != ProviderVolcengine && (j.DataType != nil || j.InboxType != nil) {
		return jobErrorf("data_type and inbox_type are Volcengine options")
	}
	if j.DataType != nil && (*j.DataType < 0 || *j.DataType > 2) {
		return jobErrorf("data_type %d not in 0..2", *j.DataType)
	}
	if j.InboxType != nil && *j.InboxType < 0 {
		return jobErrorf("inbox_type %d is negative", *j.InboxType)
	}
	if j.Provider != ProviderYunxin && j.ConversationIDs != nil {
		return jobErrorf("conversation_ids is a Yunxin option")
	}
	if len(j.ConversationIDs) > MaxConversationIDs {
		return jobErrorf("%d conversation_ids exceed %d", len(j.ConversationIDs), MaxConversationIDs)
	}
	if j.ConversationIDs != nil && len(j.ConversationIDs) == 0 {
		return jobErrorf("conversation_ids is empty")
	}
	for _, id := range j.ConversationIDs {
		if err := validateID("conversation_id", id); err != nil {
			return err
		}
	}
	return nil
}

// validateID accepts 1 to MaxIDLen bytes of printable UTF-8 without spaces.
func validateID(name, s string) error {
	switch {
	case s == "":
		return jobErrorf("%s is empty", name)
	case len(s) > MaxIDLen:
		return jobErrorf("%s of %d bytes exceeds %d", name, len(s), MaxIDLen)
	case !utf8.ValidString(s):
		return jobErrorf("%s is not UTF-8", name)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return jobErrorf("%s %q has a space or control character", name, s)
		}
	}
	return nil
}

// isToken reports whether s is 1 to MaxIDLen of [A-Za-z0-9_-]: safe in a
// subject token and a key-value key.
func isToken(s string) bool {
	if s == "" || len(s) > MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// clip shortens hostile input before it goes into an error message.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	return strings.ToValidUTF8(s[:64], "") + "…"
}

// DeriveJobID returns the ID of a job that came without one: the lowercase
// hex of the first 16 bytes of
//
//	SHA-256(provider 0x00 app 0x00 user_id 0x00 data_type 0x00 inbox_type 0x00 conversation_ids joined by 0x00)
//
// where data_type and inbox_type are decimal or empty when unset, followed
// by 0x00 and the run when the job has one (so a job without a run keeps
// the ID it always had). The same request gives the same ID, so submitting
// it twice is one job.
func DeriveJobID(j Job) string {
	h := sha256.New()
	opt := func(p *int32) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(int64(*p), 10)
	}
	for _, s := range []string{j.Provider, j.App, j.UserID, opt(j.DataType), opt(j.InboxType)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write([]byte(strings.Join(j.ConversationIDs, "\x00")))
	if j.Run != "" {
		h.Write([]byte{0})
		h.Write([]byte(j.Run))
	}
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:16])
}

// JobKey returns the key-value key of a valid job's checkpoint and status
// record: <provider>.<app>.<job_id>.
func JobKey(j Job) string { return j.Provider + "." + j.App + "." + j.JobID }
