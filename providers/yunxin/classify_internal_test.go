package yunxin

import (
	"testing"

	"github.com/chatlake/chatlake/schemas"
)

func TestClassify(t *testing.T) {
	const (
		thr  = schemas.ClassThrottled
		tran = schemas.ClassTransient
		perm = schemas.ClassPermanent
	)
	tests := []struct {
		http, code int
		want       schemas.ErrorClass
	}{
		{200, 416, thr}, {429, 0, thr}, {429, 416, thr},
		{200, 408, tran}, {200, 415, tran}, {200, 500, tran}, {200, 503, tran}, {200, 514, tran},
		{500, 0, tran}, {502, 0, tran}, {503, 0, tran}, {504, 0, tran}, {404, 0, tran}, {401, 414, tran},
		{200, 414, perm}, {200, 403, perm}, {200, 315, perm}, {200, 404, perm}, {200, 405, perm},
		{200, 419, perm}, {200, 422, perm}, {200, 431, perm}, {200, 301, perm}, {200, 302, perm},
		{200, 201, perm}, {200, 417, perm}, {200, 803, perm}, {200, 999, perm}, {200, 12345, perm},
	}
	for _, tt := range tests {
		if got := classify(tt.http, tt.code); got != tt.want {
			t.Errorf("classify(%d, %d) = %s, want %s", tt.http, tt.code, got, tt.want)
		}
	}
}
