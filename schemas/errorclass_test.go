package schemas_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/chatlake/chatlake/schemas"
)

type classed struct{ c schemas.ErrorClass }

func (e classed) Error() string                  { return string(e.c) }
func (e classed) ErrorClass() schemas.ErrorClass { return e.c }

func TestClassOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want schemas.ErrorClass
	}{
		{"unclassed", errors.New("boom"), schemas.ClassTransient},
		{"nil", nil, schemas.ClassTransient},
		{"own class", classed{schemas.ClassPermanent}, schemas.ClassPermanent},
		{"wrapped", fmt.Errorf("fetch: %w", classed{schemas.ClassThrottled}), schemas.ClassThrottled},
		{"joined, first classed wins", errors.Join(errors.New("x"), classed{schemas.ClassInvalid}, classed{schemas.ClassPermanent}), schemas.ClassInvalid},
	}
	for _, tt := range tests {
		if got := schemas.ClassOf(tt.err); got != tt.want {
			t.Errorf("ClassOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
