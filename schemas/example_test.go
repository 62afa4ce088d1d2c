package schemas_test

import (
	"fmt"

	"github.com/chatlake/chatlake/schemas"
)

// A bare user ID is a job; provider and app come from the subject.
func ExampleDecodeJob() {
	j, err := schemas.DecodeJob("chatlake.jobs.volcengine.123456", []byte("10001\n"))
	fmt.Println(j.Provider, j.App, j.UserID, j.JobID, err)

	_, err = schemas.DecodeJob("chatlake.jobs.volcengine.123456.>", []byte("10001"))
	fmt.Println(err)
	// Output:
	// volcengine 123456 10001 ec8cba3c3b19f3908fd6982b7c0abd20 <nil>
	// invalid job: subject "chatlake.jobs.volcengine.123456.>" is not chatlake.jobs.<provider>.<app>
}

func ExampleSanitizePathValue() {
	fmt.Println(schemas.SanitizePathValue("yx_app-1"))
	fmt.Println(schemas.SanitizePathValue("../../etc"))
	fmt.Println(schemas.SanitizePathValue(""))
	// Output:
	// yx_app-1
	// %2E.%2F..%2Fetc
	// __HIVE_DEFAULT_PARTITION__
}
