package main

import "context"

// demoSetupZapier starts the built-in Zapier fakes and points cfg at them; the
// returned func stops them.
func demoSetupZapier(cfg *Config) (stop func(), err error) { return func() {}, nil }

// storyZapier is the Zapier part of hub demo.
func storyZapier(ctx context.Context, e *demoEnv) error { return nil }
