package main

import "context"

// demoSetupWooCommerce starts the built-in WooCommerce fakes and points cfg at them; the
// returned func stops them.
func demoSetupWooCommerce(cfg *Config) (stop func(), err error) { return func() {}, nil }

// storyWooCommerce is the WooCommerce part of hub demo.
func storyWooCommerce(ctx context.Context, e *demoEnv) error { return nil }
