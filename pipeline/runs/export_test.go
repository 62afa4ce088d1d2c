package runs

// WithCrash returns cfg with a crash hook, for the black-box tests.
func WithCrash(cfg FinisherConfig, crash func(step string) error) FinisherConfig {
	cfg.crash = crash
	return cfg
}

// Steps lists the steps at which a crash hook is called, in order.
var Steps = []string{stepDecided, stepMarked, stepPublished}
